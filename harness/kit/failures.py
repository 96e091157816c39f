"""The failure an "as written" claim expects of the document's code on today's libraries.

A claim whose printed code fails declares that failure in its tier's config
(``failure=expected(exception, message, cause)``): the exception's type, a regular
expression its message must match, and why the code fails (``CAUSES``). ``run``
measures only that failure; any other exception propagates and the claim ends as
an error, never as a refutation. Where Keras' backends report the same error in the
code through their own ops, the claim declares one failure per backend (``per_backend``).
"""
import re

import keras

LIBRARY_CHANGED = "library changed since the document"
CODE_WRONG = "code wrong on any version"
CAUSES = (LIBRARY_CHANGED, CODE_WRONG)


def expected(exception: str, message: str, cause: str) -> dict:
    """A declared failure (plain data, kept in the config): ``exception`` is the exception's
    class name, qualified by its module outside the builtins (e.g. 'cv2.error');
    ``message`` a regular expression searched in its message."""
    assert cause in CAUSES, f"cause {cause!r} is not one of {CAUSES}"
    re.compile(message)
    return {"type": exception, "message": message, "cause": cause}


def per_backend(**declared) -> dict:
    """The running Keras backend's failure, of ``declared`` = {backend: expected(...)}."""
    return declared[keras.backend.backend()]


def type_name(error: BaseException) -> str:
    cls = type(error)
    return cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__name__}"


def run(call, failure: dict | None):
    """Calls ``call()``: None when it returns; when it raises the declared ``failure``,
    {cause, type, message} of what it raised. Anything else raised (any exception
    when ``failure`` is None) propagates."""
    try:
        call()
    except Exception as error:
        if failure is None or type_name(error) != failure["type"] or not re.search(failure["message"], str(error)):
            raise
        return {"cause": failure["cause"], "type": type_name(error), "message": str(error)}
    return None


# Failures declared by claims of more than one file.

# 002's M22 as printed (L1863-1876, no Flatten) fitted on (28, 28) images with integer labels: its
# output has one row of 10 per image row, (batch, 28, 10), against labels of shape (batch,).
DEEP_DNN_WITHOUT_FLATTEN = {
    "tensorflow": expected("ValueError", r"Argument `output` must have rank \(ndim\) `target\.ndim - 1`", CODE_WRONG),
    "jax": expected("ValueError", r"Incompatible shapes for broadcasting: shapes=\[\(\d+,\), \(\d+, 28\)\]",
                    CODE_WRONG),
    "torch": expected("RuntimeError", r"size of tensor a \(\d+\) must match the size of tensor b \(28\)", CODE_WRONG),
}
