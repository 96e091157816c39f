"""An as-written claim measures only the failure it declares; anything else propagates."""
import keras
import pytest

from harness.kit.failures import CODE_WRONG, LIBRARY_CHANGED, expected, per_backend, run


class LibraryError(Exception):
    pass


def raising(error):
    def call():
        raise error
    return call


def test_the_declared_failure_is_measured_with_its_cause():
    failure = expected("ValueError", r"Argument\(s\) not recognized: \{'lr'", LIBRARY_CHANGED)
    assert run(raising(ValueError("Argument(s) not recognized: {'lr': 0.001}")), failure) == {
        "cause": LIBRARY_CHANGED, "type": "ValueError", "message": "Argument(s) not recognized: {'lr': 0.001}"}
    assert run(lambda: None, failure) is None


@pytest.mark.parametrize("error", [TypeError("Argument(s) not recognized: {'lr'"), ValueError("another message"),
                                   RuntimeError("broken")])
def test_another_type_or_message_propagates(error):
    with pytest.raises(type(error)):
        run(raising(error), expected("ValueError", r"not recognized", CODE_WRONG))


def test_without_a_declared_failure_every_exception_propagates():
    with pytest.raises(ValueError):
        run(raising(ValueError("x")), None)


def test_types_outside_the_builtins_are_named_with_their_module():
    failure = expected(f"{__name__}.LibraryError", "buf is not", CODE_WRONG)
    assert run(raising(LibraryError("buf is not a numpy array")), failure)["type"] == f"{__name__}.LibraryError"
    with pytest.raises(LibraryError):
        run(raising(LibraryError("buf is not a numpy array")), expected("LibraryError", "buf is not", CODE_WRONG))


def test_a_cause_must_be_one_of_the_two():
    with pytest.raises(AssertionError):
        expected("ValueError", "x", "API drift")


def test_a_failure_declared_per_backend_is_the_running_backends():
    mine, other = expected("ValueError", "x", CODE_WRONG), expected("RuntimeError", "y", CODE_WRONG)
    backends = {"tensorflow": other, "jax": other, "torch": other, keras.backend.backend(): mine}
    assert per_backend(**backends) is mine
