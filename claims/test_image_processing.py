"""002's image-processing statements (inventory rows I01-I26), checked with numpy, Pillow and
OpenCV on small synthetic images (and, for interpolation quality, the embedded MNIST subset).

The document's photo of an apple is replaced by a 40 x 60 RGB image whose pixels differ from
their mirror images, transposes and rotations (so those can be told apart) or by a bright
square on black (so sizes and positions can be measured). Where the document's own code is
runnable it is run verbatim (``exec`` of its lines) with that image in place of
``cv2.imread``/``Image.open``. Claims that need Pillow or OpenCV (the project's optional extra
"images") skip, with the reason, when the library is absent. Lines that no longer run are
checked twice, as in claims/test_keras_api.py: ``<id>_as_written`` (the document's code as
printed: reproduced if it runs today and does what the document says, refuted if it fails
as its config declares (harness/kit/failures.py), an error if it raises anything else) and
``<id>`` (the ported code).

"Matrix transpose" is read as the linear-algebra transpose of each channel's 2-D matrix:
pixel (r, c) goes to (c, r), so an h x w image becomes w x h (np.transpose(image, (1, 0, 2)),
Pillow's Image.Transpose.TRANSPOSE, cv2.transpose).
"""
import io
import time
import types

import numpy as np
import pytest

from harness.kit import data, failures, plots, stats
from harness.engine.claim import All, AtLeast, AtMost, Between, Claim, Close, Exact, Measured, Tier, claim_test
from harness.kit.failures import CODE_WRONG, LIBRARY_CHANGED, expected

pytestmark = pytest.mark.exact_numerics("pixel values are compared exactly")

EXACT = "A library fact checked pixel for pixel or shape for shape: the rule is exact."
H, W = 40, 60


def claim(id, section, lines, quote, reason, rule, needs=(), tier="fast", across_seeds="", **kwargs):
    """A 002 claim of Chapter III; ``needs``: libraries to import (else skip); keyword
    arguments starting with ``c_`` go to the tier's config, the others (``measure``,
    ``port``, ...) to the Claim; ``across_seeds``: the tier's (why its interval is its own)."""
    config = {"needs": list(needs), **{k[2:]: kwargs.pop(k) for k in list(kwargs) if k.startswith("c_")}}
    return Claim(id, "002", f"Chapter III, {section}", lines, quote, reason,
                 {tier: Tier(rule, (0,), config, across_seeds=across_seeds)}, **kwargs)


def pattern_image(height=H, width=W):
    """(height, width, 3) uint8, distinct from its flips, rotations and transpose."""
    return (np.arange(height * width * 3).reshape(height, width, 3) % 251).astype(np.uint8)


def square_image(height=H, width=W, side=10):
    """(height, width, 3) uint8 black image with a centred side x side square of value 200."""
    image = np.zeros((height, width, 3), np.uint8)
    top, left = (height - side) // 2, (width - side) // 2
    image[top:top + side, left:left + side] = 200
    return image


def box(image):
    """(top row, left column, height, width) of the pixels above 100 in the first channel."""
    image = np.asarray(image)
    rows, cols = np.nonzero((image[..., 0] if image.ndim == 3 else image) > 100)
    return int(rows.min()), int(cols.min()), int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)


def left(image):
    """Rotated 90 degrees counter-clockwise (to the left), by index arithmetic: pixel (r, c)
    goes to (width-1-c, r)."""
    return np.swapaxes(image, 0, 1)[::-1]


def right(image):
    """Rotated 90 degrees clockwise (to the right): pixel (r, c) goes to (c, height-1-r)."""
    return np.swapaxes(image, 0, 1)[:, ::-1]


def permutes(out, image):
    """True when ``out`` holds exactly the pixels of ``image`` (same values, same counts):
    nothing interpolated, nothing clipped."""
    return out.shape[:2] in (image.shape[:2], image.shape[1::-1]) and np.array_equal(
        np.sort(np.asarray(out).reshape(-1, 3), axis=0), np.sort(image.reshape(-1, 3), axis=0))


def same(a, b):
    """Same shape and same pixels."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.array_equal(a, b))


def named(out, image, names):
    """Which of the named reference transforms of ``image`` ``out`` equals ('none' if none)."""
    references = {"mirror": image[:, ::-1], "upside down": image[::-1], "rotated 180": image[::-1, ::-1],
                  "left": left(image), "right": right(image)}
    return next((n for n in names if np.array_equal(np.asarray(out), references[n])), "none")


def import_libraries(case):
    """Skips the case (with the reason) when a library its config needs is absent."""
    for name in case.config["needs"]:
        pytest.importorskip(name)


def write_images(folder):
    """Three PNG files in ``folder``: greyscale (L), RGB and RGBA; returns the folder."""
    from PIL import Image
    folder.mkdir(exist_ok=True)
    image = pattern_image()
    Image.fromarray(image[..., 0]).save(folder / "grey.png")
    Image.fromarray(image).save(folder / "rgb.png")
    Image.fromarray(np.dstack([image, np.full((H, W), 128, np.uint8)])).save(folder / "rgba.png")
    return folder


# --- the document's code ------------------------------------------------------------------------------

LOAD_IMAGES_2984 = '''
def loadImages(subdir, channels):
    images = []

    # get list of all files in subdirectory cats
    files = os.listdir(subdir)
    # read each image in and append the in-memory image to a list
    for file in files:
        image = Image.open(file.path)
        # convert to grayscale
        if channels == 1:
            image = image.convert('L')
        # convert to RGB color
        else:
            image = image.convert('RGB')
        images.append(image)
    return images

loadImages('cats', 3)
'''
ANTIALIAS_3029 = "images.append(image.resize(shape, Image.ANTIALIAS))"
IMDECODE_3055 = '''
try:
    response = requests.get(url)
    if channel == 1:
        return cv2.imdecode(BytesIO(response.content), cv2.IMREAD_GRAYSCALE)
    else:
        return cv2.imdecode(BytesIO(response.content), cv2.IMREAD_COLOR)
except:
    return None
'''

CROP_PAD_2586 = """
Image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)

# get the height of the image
height = image.shape[0]
width = image.shape[1]

# Drop the bottom (50%) of the image
image = image[0: height//2,:,:]

# Make black border to refit the image back to its original size
image = cv2.copyMakeBorder(image, (height//4), (height//4), 0, 0,
cv2.BORDER_CONSTANT, 0)
"""
ROTATE_BOUND_2511 = """
shape = (image.shape[0], image.shape[1])
rotate = imutils.rotate_bound(image, 45)
rotate = cv2.resize(rotate, shape, interpolation=cv2.INTER_AREA)
"""
PIL_ZOOM_2628 = """
zoom = 2 # zoom by factor of 2
# remember the original height, width of the image
height, width = image.size

# resize (scale) the image proportional to the zoom
image = image.resize( (int(height*zoom), int(width*zoom)), Image.BICUBIC)

# find the center of the scaled image
center = (image.size[0]//2, image.size[1]//2)

# calculate the crop upper left corner
crop = (int(center[0]//zoom), int(center[1]//zoom))

# calculate the crop bounding box
box = ( crop[0], crop[1], (center[0] + crop[0]), (center[1] + crop[1]) )

image = image.crop( box )
"""
CV2_ZOOM_2659 = """
zoom = 2 # zoom by a factor of 2

# remember the original height, width of the image
height, width = image.shape[:2]

# find the center of the scaled image
center = (image.shape[0]//2, image.shape[1]//2)
z_height = int(height // zoom)
z_width  = int(width  // zoom)

image = image[(center[0] - z_height//2):(center[0] + z_height//2), center[1] -
              z_width//2:(center[1] + z_width//2)]

# resize (enlarge) the cropped image back to the original size.
image = cv2.resize(image, (width, height), interpolation=cv2.INTER_CUBIC)
"""
ZOOM = ("The document's code, verbatim, on a 40 x 60 image with a centred 10 x 10 square (value 200): "
        "the result must have the input's size and the square must be twice as tall and wide, within "
        "0.15 (its 20-pixel sides are measured where the enlarged square crosses half its value: "
        "+/- 1 pixel, 0.1, after cubic interpolation).")
PHOTO = "The apple photo is replaced by a synthetic 40 x 60 image."


# --- measuring functions: the document's code as printed ---------------------------------------------

def run_as_written(case, code, namespace):
    """exec the document's ``code`` in ``namespace`` -> None, or the failure it raised, the one
    the case's config declares (any other exception propagates: harness/kit/failures.py)."""
    return failures.run(lambda: exec(code, namespace), case.config["failure"])


def as_written_result(failure, does, **details):
    """The as-written value; the failure, if any, in details."""
    return Measured({"runs": failure is None, "does_what_the_document_says": bool(failure is None and does)},
                    details={"failure": failure, **details})


def load_images_as_written(case, tmp_path, monkeypatch):
    """The document's loadImages (L2984) on a folder of an L, an RGB and an RGBA PNG."""
    import_libraries(case)
    import os
    from PIL import Image
    write_images(tmp_path / "cats")
    monkeypatch.chdir(tmp_path)
    namespace = {"os": os, "Image": Image}
    failure = run_as_written(case, case.config["code"], namespace)
    does = failure is None and [i.mode for i in namespace["loadImages"]("cats", 3)] == ["RGB"] * 3
    return as_written_result(failure, does)


def antialias_as_written(case):
    """The document's resize line (L3029) on a 40 x 60 RGB image, shape (128, 128)."""
    import_libraries(case)
    from PIL import Image
    namespace = {"Image": Image, "image": Image.fromarray(pattern_image()), "images": [], "shape": (128, 128)}
    failure = run_as_written(case, case.config["code"], namespace)
    does = failure is None and namespace["images"][0].size == (128, 128)
    return as_written_result(failure, does)


def imdecode_as_written(case):
    """The document's fragment (L3055-3064) as the body of read(url, channel), with requests.get
    answering a 40 x 60 PNG's bytes; the imdecode line is also run alone, outside the bare
    ``except:`` that would hide its error."""
    import_libraries(case)
    import cv2
    content = cv2.imencode(".png", pattern_image())[1].tobytes()
    requests = types.SimpleNamespace(get=lambda url: types.SimpleNamespace(content=content))
    namespace = {"cv2": cv2, "BytesIO": io.BytesIO, "requests": requests}
    code = "def read(url, channel):" + case.config["code"].replace("\n", "\n    ")
    failure = run_as_written(case, code + "\nresults = {1: read('url', 1), 3: read('url', 3)}", namespace)
    results = namespace.get("results", {})
    does = all(isinstance(results.get(c), np.ndarray) and results[c].shape == shape
               for c, shape in ((1, (H, W)), (3, (H, W, 3))))
    alone = run_as_written(case, "cv2.imdecode(BytesIO(content), cv2.IMREAD_GRAYSCALE)",
                           {**namespace, "content": content})
    return as_written_result(failure, does, imdecode_line_alone=alone,
                             returned={str(c): None if r is None else list(np.shape(r)) for c, r in results.items()})


# --- measuring functions: flips, transposes, 90-degree rotations, rolls ------------------------------

def transposes(image):
    """The matrix transpose of each channel (pixel (r, c) -> (c, r)), by numpy, Pillow and OpenCV."""
    import cv2
    from PIL import Image
    return {"numpy": np.transpose(image, (1, 0, 2)),
            "PIL": np.asarray(Image.fromarray(image).transpose(Image.Transpose.TRANSPOSE)),
            "cv2": cv2.transpose(image)}


def flips(image):
    """{library: {"left-right": mirror, "upside-down": flip}}, the document's calls (L2352-2419)."""
    import cv2
    from PIL import Image
    pil = Image.fromarray(image)
    return {"numpy": {"left-right": np.flip(image, 1), "upside-down": np.flip(image, 0)},
            "PIL": {"left-right": np.asarray(pil.transpose(Image.FLIP_LEFT_RIGHT)),
                    "upside-down": np.asarray(pil.transpose(Image.FLIP_TOP_BOTTOM))},
            "cv2": {"left-right": cv2.flip(image, 1), "upside-down": cv2.flip(image, 0)}}


def rotations(image):
    """{library: {counter-clockwise angle: rotated image}} for 90, 180 and 270 degrees."""
    import cv2
    from PIL import Image
    pil = Image.fromarray(image)
    return {"numpy": {angle: np.rot90(image, angle // 90) for angle in (90, 180, 270)},
            "PIL": {90: np.asarray(pil.transpose(Image.ROTATE_90)), 180: np.asarray(pil.transpose(Image.ROTATE_180)),
                    270: np.asarray(pil.transpose(Image.ROTATE_270))},
            "cv2": {90: cv2.rotate(image, cv2.ROTATE_90_COUNTERCLOCKWISE), 180: cv2.rotate(image, cv2.ROTATE_180),
                    270: cv2.rotate(image, cv2.ROTATE_90_CLOCKWISE)}}


def against_transpose(outputs, transposed, image):
    """Each library's output against the same library's transpose: equal (shape and pixels),
    the shapes, the fraction of equal pixel values where the shapes agree, and whether the
    output holds exactly the input's pixels (nothing interpolated)."""
    shapes_agree = all(o.shape == transposed[lib].shape for lib, o in outputs.items())
    return {"equal_to_transpose": {lib: same(o, transposed[lib]) for lib, o in outputs.items()},
            "shape": list(outputs["numpy"].shape), "transpose_shape": list(transposed["numpy"].shape),
            "fraction_of_values_equal_to_transpose": (
                {lib: float(np.mean(o == transposed[lib])) for lib, o in outputs.items()} if shapes_agree else None),
            "keeps_the_input_pixels": {lib: bool(permutes(o, image)) for lib, o in outputs.items()}}


def flip_is_transpose(case):
    """Is each library's flip its matrix transpose, on each image size of the config?"""
    import_libraries(case)
    value, details = {}, {}
    for height, width in case.config["sizes"]:
        image, size = pattern_image(height, width), f"{height}x{width}"
        transposed, flipped = transposes(image), flips(image)
        for direction in ("left-right", "upside-down"):
            compared = against_transpose({lib: f[direction] for lib, f in flipped.items()}, transposed, image)
            value[f"{size} {direction}"] = all(compared["equal_to_transpose"].values())
            details[f"{size} {direction}"] = compared
        details[f"{size} the libraries' transposes agree"] = all(same(t, transposed["numpy"])
                                                                 for t in transposed.values())
        details[f"{size} left-right flip = transpose, then a quarter turn right"] = same(
            flipped["numpy"]["left-right"], right(transposed["numpy"]))
        details[f"{size} upside-down flip = transpose, then a quarter turn left"] = same(
            flipped["numpy"]["upside-down"], left(transposed["numpy"]))
    return Measured(value, details=details)


def rotation_is_transpose(case):
    """Is each library's 90/180/270-degree rotation its matrix transpose, on each image size?"""
    import_libraries(case)
    value, details = {}, {}
    for height, width in case.config["sizes"]:
        image, size = pattern_image(height, width), f"{height}x{width}"
        transposed, rotated = transposes(image), rotations(image)
        for angle in (90, 180, 270):
            compared = against_transpose({lib: r[angle] for lib, r in rotated.items()}, transposed, image)
            value[f"{size} {angle} degrees"] = all(compared["equal_to_transpose"].values())
            details[f"{size} {angle} degrees"] = compared
        t = transposed["numpy"]
        details[f"{size} rotation = transpose + flip"] = {
            "90 = transpose, then upside-down flip": all(same(r[90], t[::-1]) for r in rotated.values()),
            "270 = transpose, then left-right flip": all(same(r[270], t[:, ::-1]) for r in rotated.values()),
            "180 = both flips, no transpose": all(same(r[180], image[::-1, ::-1]) for r in rotated.values())}
    return Measured(value, details=details)


def pil_flips(case):
    import_libraries(case)
    from PIL import Image, ImageOps
    image, names = pattern_image(), ("mirror", "upside down")
    pil = Image.fromarray(image)
    outs = {"FLIP_LEFT_RIGHT": pil.transpose(Image.FLIP_LEFT_RIGHT), "FLIP_TOP_BOTTOM": pil.transpose(Image.FLIP_TOP_BOTTOM),
            "ImageOps.mirror": ImageOps.mirror(pil), "ImageOps.flip": ImageOps.flip(pil)}
    return Measured({k: named(v, image, names) for k, v in outs.items()})


def cv2_flips(case):
    import_libraries(case)
    import cv2
    image = pattern_image()
    return Measured({str(code): named(cv2.flip(image, code), image, ("mirror", "upside down", "rotated 180"))
                     for code in (1, 0, -1)})


def np_flips(case):
    image = pattern_image()
    return Measured({str(axis): named(np.flip(image, axis), image, ("mirror", "upside down")) for axis in (1, 0)})


def rot90_keeps_pixels(case):
    import_libraries(case)
    from PIL import Image
    image = pattern_image()
    pil = Image.fromarray(image)
    outs = {"numpy": [np.rot90(image, k) for k in (1, 2, 3)],
            "PIL": [np.asarray(pil.transpose(t)) for t in (Image.ROTATE_90, Image.ROTATE_180, Image.ROTATE_270)]}
    return Measured({lib: all(permutes(o, image) for o in rotated) for lib, rotated in outs.items()},
                    details={"four_quarter_turns_identity": bool(np.array_equal(np.rot90(image, 4), image))})


def rot90_direction(case):
    import_libraries(case)
    from PIL import Image
    image = pattern_image()
    pil = Image.fromarray(image)
    outs = {"ROTATE_90": pil.transpose(Image.ROTATE_90), "ROTATE_270": pil.transpose(Image.ROTATE_270),
            "rot90 k=1": np.rot90(image, 1), "rot90 k=3": np.rot90(image, 3)}
    return Measured({k: named(v, image, ("left", "right")) for k, v in outs.items()})


def cv2_rotate(case):
    import_libraries(case)
    import cv2
    image = pattern_image()
    has = hasattr(cv2, "rotate") and named(cv2.rotate(image, cv2.ROTATE_90_COUNTERCLOCKWISE), image, ("left",)) == "left" \
        and named(cv2.rotate(image, cv2.ROTATE_90_CLOCKWISE), image, ("right",)) == "right"
    return Measured({"has_90_and_270_rotation": bool(has)},
                    details={"cv2.transpose_is_transpose": bool(np.array_equal(cv2.transpose(image), np.swapaxes(image, 0, 1))),
                             "opencv": cv2.__version__})


def rot90_shape(case):
    image = pattern_image()
    return Measured({f"k={k}": list(np.rot90(image, k).shape) for k in (1, 3)})


def roll_directions(case):
    image = pattern_image()
    dy, dx = H // 10, W // 10
    return Measured({"down": bool(np.array_equal(np.roll(image, dy, axis=0)[dy:], image[:-dy])),
                     "up": bool(np.array_equal(np.roll(image, -dy, axis=0)[:-dy], image[dy:])),
                     "right": bool(np.array_equal(np.roll(image, dx, axis=1)[:, dx:], image[:, :-dx])),
                     "left": bool(np.array_equal(np.roll(image, -dx, axis=1)[:, :-dx], image[:, dx:]))})


def roll_wraps(case):
    image = pattern_image()
    rolled = np.roll(image, H // 10, axis=0)
    half = np.roll(square_image(), H // 2, axis=0)
    return Measured(bool(np.array_equal(rolled[:H // 10], image[-(H // 10):])),
                    details={"50%_shift_square_rows": sorted(set(np.nonzero(half[..., 0])[0].tolist()))})


# --- measuring functions: rotation by 45 degrees, crops, zooms and resizes -----------------------------

def rotate45_lost(case):
    import_libraries(case)
    from PIL import Image
    mask = Image.fromarray(np.full((H, W), 255, np.uint8))
    lost = {expand: 1 - float((np.asarray(mask.rotate(45, expand=expand)) > 127).sum()) / (H * W)
            for expand in (False, True)}
    return Measured(lost[False], details={"lost_with_expand_True": lost[True]})


def rotate_bound(image, angle):
    """imutils 0.5.4 ``rotate_bound``: rotate clockwise by ``angle`` degrees into a canvas large
    enough to hold the whole rotated image."""
    import cv2
    (h, w) = image.shape[:2]
    (cX, cY) = (w / 2, h / 2)
    M = cv2.getRotationMatrix2D((cX, cY), -angle, 1.0)
    cos, sin = np.abs(M[0, 0]), np.abs(M[0, 1])
    nW, nH = int((h * sin) + (w * cos)), int((h * cos) + (w * sin))
    M[0, 2] += (nW / 2) - cX
    M[1, 2] += (nH / 2) - cY
    return cv2.warpAffine(image, M, (nW, nH))


def rotate_bound_resize(case):
    import_libraries(case)
    import cv2
    shapes = {}
    for height, width in ((H, W), (W, W)):
        namespace = {"cv2": cv2, "imutils": types.SimpleNamespace(rotate_bound=rotate_bound),
                     "image": pattern_image(height, width)}
        exec(ROTATE_BOUND_2511, namespace)
        shapes[f"{height}x{width}"] = list(namespace["rotate"].shape)
    return Measured(shapes[f"{H}x{W}"], details={"output_shapes": shapes})


def crop_pad(case):
    import_libraries(case)
    import cv2
    heights = {}
    for height in (40, 41, 42, 43):
        namespace = {"cv2": cv2, "image": pattern_image(height, W)}
        exec(CROP_PAD_2586, namespace)
        heights[str(height)] = namespace["image"].shape[0]
    return Measured({h: out == int(h) for h, out in heights.items()}, details={"output_heights": heights})


def zoom(case):
    import_libraries(case)
    namespace = {"image": square_image()}
    if "PIL" in case.config["needs"]:
        from PIL import Image
        namespace.update(Image=Image, image=Image.fromarray(square_image()))
    else:
        import cv2
        namespace["cv2"] = cv2
    exec(case.config["code"], namespace)
    out = np.asarray(namespace["image"])
    top, col, rows, cols = box(out)
    return Measured({"size_preserved": out.shape == square_image().shape, "rows": rows / 10, "columns": cols / 10},
                    details={"output_shape": list(out.shape), "square_top_left": [top, col],
                             "square_centre": [top + (rows - 1) / 2, col + (cols - 1) / 2],
                             "image_centre": [(H - 1) / 2, (W - 1) / 2]})


def resize_order(case):
    import_libraries(case)
    import cv2
    return Measured(list(cv2.resize(pattern_image(), (30, 50)).shape[:2]))


def positional_interpolation(case):
    import_libraries(case)
    import cv2
    image = np.random.default_rng(case.seed).integers(0, 256, (200, 300, 3)).astype(np.uint8)
    namespace = {"cv2": cv2, "image": image, "shape": (128, 128), "images": []}
    exec("images.append(cv2.resize(image, shape, cv2.INTER_AREA))", namespace)
    out = namespace["images"][0]
    methods = ("INTER_NEAREST", "INTER_LINEAR", "INTER_CUBIC", "INTER_AREA", "INTER_LANCZOS4")
    results = {m: cv2.resize(image, (128, 128), interpolation=getattr(cv2, m)) for m in methods}
    matched = [m for m in methods if np.array_equal(out, results[m])]
    return Measured(matched[0] if len(matched) == 1 else matched,
                    details={"INTER_AREA_vs_INTER_LINEAR_max_difference": int(np.abs(
                        results["INTER_AREA"].astype(int) - results["INTER_LINEAR"]).max())})


# --- measuring functions: reading, converting and stacking images --------------------------------------

def pil_open(case, tmp_path):
    import_libraries(case)
    from PIL import Image
    folder = write_images(tmp_path / "images")
    return Measured({Image.open(folder / f"{n}.png").mode: len(Image.open(folder / f"{n}.png").getbands())
                     for n in ("grey", "rgb", "rgba")})


def pil_convert(case, tmp_path):
    import_libraries(case)
    from PIL import Image
    folder = write_images(tmp_path / "images")
    files = {"RGB": "rgb", "RGBA": "rgba", "L": "grey"}
    channels = {}
    for source, target in (("RGB", "L"), ("RGBA", "L"), ("L", "RGB"), ("RGBA", "RGB")):
        array = np.asarray(Image.open(folder / f"{files[source]}.png").convert(target))
        channels[f"{source}->{target}"] = 1 if array.ndim == 2 else array.shape[2]
    return Measured(channels)


def load_images(case, tmp_path, monkeypatch):
    import_libraries(case)
    import os
    from PIL import Image
    write_images(tmp_path / "cats")
    monkeypatch.chdir(tmp_path)
    namespace = {"os": os, "Image": Image}
    exec(LOAD_IMAGES_2984.replace("os.listdir(subdir)", "os.scandir(subdir)"), namespace)
    loaded = {c: namespace["loadImages"]("cats", c) for c in (3, 1)}
    return Measured({"count": len(loaded[3]), "channels=3": sorted({i.mode for i in loaded[3]}),
                     "channels=1": sorted({i.mode for i in loaded[1]})})


def antialias(case):
    import_libraries(case)
    from PIL import Image
    stripes = np.zeros((256, 256, 3), np.uint8)
    stripes[:, ::2] = 255
    image = Image.fromarray(stripes)
    errors = {name: float(np.abs(np.asarray(image.resize((128, 128), getattr(Image, name)), float) - 127.5).mean())
              for name in ("LANCZOS", "NEAREST")}
    return Measured({"shape": list(np.asarray(image.resize((128, 128), Image.LANCZOS)).shape),
                     "error_ratio": errors["LANCZOS"] / errors["NEAREST"]},
                    details={"mean_abs_error": errors})


def asarray_list(case):
    import_libraries(case)
    from PIL import Image
    images = [Image.fromarray(np.roll(pattern_image(), k, axis=1)) for k in range(3)]
    stacked = np.asarray(images)
    return Measured({"shape": list(stacked.shape),
                     "equals_one_by_one": bool(np.array_equal(stacked, np.stack([np.asarray(i) for i in images])))})


def imread_default(case, tmp_path):
    import_libraries(case)
    import cv2
    from PIL import Image
    red = np.zeros((4, 4, 3), np.uint8)
    red[..., 0] = 255
    Image.fromarray(red).save(tmp_path / "red.png")
    Image.fromarray(red[..., 0]).save(tmp_path / "grey.png")
    colour, grey = cv2.imread(str(tmp_path / "red.png")), cv2.imread(str(tmp_path / "grey.png"))
    order = {(255, 0, 0): "RGB", (0, 0, 255): "BGR"}.get(tuple(colour[0, 0].tolist()), str(colour[0, 0].tolist()))
    return Measured({"channels_grey_file": grey.shape[2], "channels_rgb_file": colour.shape[2], "order": order},
                    details={"red_pixel_as_read": colour[0, 0].tolist()})


def imdecode(case):
    import_libraries(case)
    import cv2
    content = cv2.imencode(".png", pattern_image())[1].tobytes()
    decoded = {flag: cv2.imdecode(np.frombuffer(content, np.uint8), getattr(cv2, flag))
               for flag in ("IMREAD_GRAYSCALE", "IMREAD_COLOR")}
    return Measured({flag: list(image.shape) for flag, image in decoded.items()},
                    details={"colour_lossless": bool(np.array_equal(decoded["IMREAD_COLOR"], pattern_image()))})


# --- measuring functions: interpolation quality and speed ---------------------------------------------

def interpolation(case):
    import_libraries(case)
    import cv2
    subset = data.subset("mnist")
    digits = subset.x_test if case.config["images"] == "test" else subset.x_train[:1000]
    rmse = {name: [] for name in ("INTER_LINEAR", "INTER_CUBIC")}
    for digit in digits:
        small = cv2.resize(digit, (14, 14), interpolation=cv2.INTER_AREA)
        for name in rmse:
            back = cv2.resize(small, (28, 28), interpolation=getattr(cv2, name)).astype(float)
            rmse[name].append(float(np.sqrt(np.mean((back - digit) ** 2))))
    quality = stats.paired_ratio_ci(rmse["INTER_LINEAR"], rmse["INTER_CUBIC"], confidence=case.confidence)
    large = np.ascontiguousarray(np.tile(digits[0], (10, 10))[:256, :256])
    times = {name: [] for name in rmse}
    for _ in range(case.config["pairs"]):
        for name in rmse:
            start = time.perf_counter()
            for _ in range(case.config["calls"]):
                cv2.resize(large, (512, 512), interpolation=getattr(cv2, name))
            times[name].append(time.perf_counter() - start)
    time_ratios = np.array(times["INTER_LINEAR"]) / np.array(times["INTER_CUBIC"])
    speed = stats.paired_ratio_ci(times["INTER_LINEAR"], times["INTER_CUBIC"], confidence=case.confidence)
    figure = plots.histogram(rmse, xlabel="RMSE to the original digit (grey levels)",
                             title="I17: 14 -> 28 px enlargement of 1,000 MNIST digits")
    return Measured({"rmse_ratio": quality.point, "time_ratio": speed.point},
                    interval={"rmse_ratio": quality, "time_ratio": speed}, figure=figure,
                    samples={"time_ratio": time_ratios},
                    details={"mean_rmse": {k: float(np.mean(v)) for k, v in rmse.items()},
                             "median_seconds_per_call": {k: float(np.median(v)) / case.config["calls"]
                                                         for k, v in times.items()}})


# --- the claims ---------------------------------------------------------------------------------------

AS_WRITTEN_RULE = Exact({"runs": True, "does_what_the_document_says": True})


def as_written(id, section, lines, quote, does, measure, code, failure, needs, why, port=""):
    reason = (f"The document's code as printed, run with today's libraries on synthetic images: reproduced "
              f"if it runs and does what the document says ({does}); refuted if it raises the failure its "
              f"config declares (type, message pattern, cause; recorded in details), or runs and does "
              f"something else; any other exception is an error. {why}")
    return claim(id, section, lines, quote, reason, AS_WRITTEN_RULE, needs, c_code=code, c_failure=failure,
                 measure=measure, port=port)


AS_WRITTEN = [
    as_written("I20_listdir_path_bug_as_written", "Reading Images", "2984-2999",
               "files = os.listdir(subdir) ... image = Image.open(file.path)",
               "loadImages('cats', 3) on a folder of an L, an RGB and an RGBA PNG returns 3 RGB images",
               load_images_as_written, LOAD_IMAGES_2984,
               expected("AttributeError", r"'str' object has no attribute 'path'", CODE_WRONG), ["PIL"],
               "os.listdir returns names (str); os.scandir (the document's first version, L2898) returns "
               "entries with .path."),
    as_written("I21_pil_antialias_as_written", "Resizing", "3029",
               "images.append(image.resize(shape, Image.ANTIALIAS))",
               "a 40 x 60 image is resized to shape (128, 128) and appended", antialias_as_written,
               ANTIALIAS_3029, expected("AttributeError", r"has no attribute 'ANTIALIAS'", LIBRARY_CHANGED), ["PIL"],
               "Pillow's release notes: the ANTIALIAS alias of LANCZOS was removed in Pillow 10."),
    as_written("I24_cv2_imdecode_bytesio_as_written", "Reading Images", "3055-3064",
               "return cv2.imdecode(BytesIO(response.content), cv2.IMREAD_GRAYSCALE)",
               "for a PNG's bytes it returns the decoded image, 40 x 60 with channel == 1 and 40 x 60 x 3 "
               "otherwise", imdecode_as_written, IMDECODE_3055,
               expected("cv2.error", r"buf is not a numpy array", CODE_WRONG), ["cv2"],
               "OpenCV documents cv2.imdecode's buf as an array of bytes; the fragment hands it a file-like "
               "BytesIO, inside a bare 'except: return None' that would turn any error into None.",
               port="The fragment (a function body: it returns) is wrapped in def read(url, channel); "
                    "requests.get(url) answers the bytes of a 40 x 60 PNG made in memory (no network); "
                    "BytesIO is io.BytesIO."),
]

TRANSFORMS = [
    claim("I01_flip_is_transpose", "Flip", "2336",
          "A flip can be done efficiently as a matrix transpose function without changes (e.g., "
          "interpolation) of the pixel data.",
          EXACT + " Read as written: a flip is a matrix transpose, i.e. flipping an image gives the same "
          "array as transposing it (pixel (r, c) -> (c, r); same shape, same pixels). Compared for the "
          "document's three libraries, each flip (numpy np.flip, Pillow FLIP_LEFT_RIGHT / FLIP_TOP_BOTTOM, "
          "cv2.flip 1 / 0) against the same library's transpose (np.transpose(image, (1, 0, 2)), "
          "Image.Transpose.TRANSPOSE, cv2.transpose), on a 40 x 60 image (the shapes can differ) and on "
          "a 40 x 40 one (the shapes agree, so only the pixels can tell); the pattern image differs from "
          "its own mirror images and transpose. Each 'size direction' entry is True when all three "
          "libraries' flips equal their transposes. Pillow calls its flips through a method named "
          "Image.transpose; that name does not make them matrix transposes. Recorded in details, not "
          "judged: whether each flip keeps exactly the input's pixels (the sentence's 'without changes "
          "(e.g., interpolation)') and whether a flip is a transpose followed by a quarter turn.",
          Exact({"40x60 left-right": True, "40x60 upside-down": True,
                 "40x40 left-right": True, "40x40 upside-down": True}),
          ["PIL", "cv2"], c_sizes=[[H, W], [H, H]], measure=flip_is_transpose),
    claim("I02_rotation_is_transpose", "Translational Invariance", "2332",
          "A rotation is typically handled as a matrix transpose.",
          EXACT + " Read as written: a rotation is a matrix transpose, i.e. rotating an image gives the "
          "same array as transposing it (pixel (r, c) -> (c, r); same shape, same pixels). Tested on "
          "the quarter turns, the only rotations that move whole pixels (any other angle resamples: "
          "I10), with numpy (np.rot90 k = 1, 2, 3), Pillow (ROTATE_90/180/270) and OpenCV (cv2.rotate "
          "ROTATE_90_COUNTERCLOCKWISE / ROTATE_180 / ROTATE_90_CLOCKWISE) against the same library's "
          "transpose, on a 40 x 60 and a 40 x 40 image; each 'size angle' entry is True when all three "
          "libraries' rotations equal their transposes. Recorded in details, not judged: whether each "
          "rotation is a transpose followed by a flip (90 and 270 degrees) or two flips (180).",
          Exact({"40x60 90 degrees": True, "40x60 180 degrees": True, "40x60 270 degrees": True,
                 "40x40 90 degrees": True, "40x40 180 degrees": True, "40x40 270 degrees": True}),
          ["PIL", "cv2"], c_sizes=[[H, W], [H, H]], measure=rotation_is_transpose),
    claim("I03_pil_flips", "Flip", "2352-2375",
          "flip = image.transpose(Image.FLIP_LEFT_RIGHT) ... flip = image.transpose(Image.FLIP_TOP_BOTTOM) "
          "... ImageOps.mirror(image) ... ImageOps.flip(image)",
          EXACT + " FLIP_LEFT_RIGHT and ImageOps.mirror must mirror the columns ('on the vertical axis'), "
          "FLIP_TOP_BOTTOM and ImageOps.flip the rows ('upside down').",
          Exact({"FLIP_LEFT_RIGHT": "mirror", "FLIP_TOP_BOTTOM": "upside down", "ImageOps.mirror": "mirror",
                 "ImageOps.flip": "upside down"}), ["PIL"], measure=pil_flips),
    claim("I04_cv2_flips", "Flip", "2392-2396, 2461",
          "flip = cv2.flip(image, 1) ... flip = cv2.flip(image, 0) ... rotate = cv2.flip(image, -1)",
          EXACT + " cv2.flip codes 1, 0 and -1 must give the mirror, the upside-down image and the "
          "180-degree rotation.",
          Exact({"1": "mirror", "0": "upside down", "-1": "rotated 180"}), ["cv2"], measure=cv2_flips),
    claim("I05_np_flips", "Flip", "2412-2419",
          "flip = np.flip(image, 1) ... flip = np.flip(image, 0)",
          EXACT + " np.flip along axis 1 must mirror, along axis 0 turn upside down.",
          Exact({"1": "mirror", "0": "upside down"}), measure=np_flips),
    claim("I06_rot90_lossless", "Rotate 90/180/270", "2425",
          "Like a flip, the operation is very efficient, and does not require interpolation of pixels and "
          "does not have a side effect of clipping.",
          EXACT + " np.rot90 (k = 1, 2, 3) and Pillow's ROTATE_90/180/270 must return exactly the "
          "input's pixels, all of them (no interpolation, no clipping).",
          Exact({"numpy": True, "PIL": True}), ["PIL"], measure=rot90_keeps_pixels),
    claim("I07_rot90_left", "Rotate 90/180/270", "2425, 2438",
          "a matrix transpose operation can be used to rotate an image 90 degrees (left), 180 degrees, and "
          "270 degrees (right)",
          EXACT + " Pillow's ROTATE_90 and np.rot90(k=1) must turn the image to the left (counter-"
          "clockwise: pixel (r, c) to (W-1-c, r)); ROTATE_270 and np.rot90(k=3) to the right.",
          Exact({"ROTATE_90": "left", "ROTATE_270": "right", "rot90 k=1": "left", "rot90 k=3": "right"}),
          ["PIL"], measure=rot90_direction),
    claim("I08_opencv_no_rot90", "Rotate 90/180/270", "2451",
          "OpenCV does not have a transpose method for 90 or 270 degrees",
          EXACT + " The document's words: OpenCV has no 90/270-degree rotation. The value is whether "
          "OpenCV has one: cv2.rotate (documented since OpenCV 3.2, 2016) with "
          "ROTATE_90_COUNTERCLOCKWISE / ROTATE_90_CLOCKWISE turning the image exactly a quarter turn "
          "left / right; the statement holds only if it does not. Whether cv2.transpose is the matrix "
          "transpose is recorded in details.",
          Exact({"has_90_and_270_rotation": False}), ["cv2"], measure=cv2_rotate,
          document_value="no 90/270 rotation in OpenCV"),
    claim("I09_rot90_swaps_hw", "Rotate 90/180/270", "2488",
          "If not, the height and width will be transposed in the rotated image",
          EXACT + " np.rot90 of a 40 x 60 image, k = 1 and 3, must be 60 x 40.",
          Exact({"k=1": [60, 40, 3], "k=3": [60, 40, 3]}), measure=rot90_shape),
    claim("I12_roll_directions", "Shift", "2550-2565",
          "roll = np.roll(image, height // 10, axis=0) ... shift the image down by 10%",
          EXACT + " np.roll by +/- height//10 on axis 0 must shift down / up, by +/- width//10 on "
          "axis 1 right / left (row r moves to r + 4, column c to c + 6).",
          Exact({"down": True, "up": True, "right": True, "left": True}), measure=roll_directions),
    claim("I13_roll_wraps", "Shift", "2569",
          "the pixels that are shifted off the end are added to the beginning",
          EXACT + " After np.roll(image, 4, axis=0) the first 4 rows must be the input's last 4.",
          Exact(True), measure=roll_wraps),
]

GEOMETRY = [
    claim("I10_rotate45_clips", "Rotation", "2498-2500",
          "if you rotate an image within the same size boundaries, other than 90, 180, or 270, a portion "
          "of the edge of the image will end up outside the boundary (i.e., clipped)",
          "Pillow's image.rotate(45) of an all-white 40 x 60 mask: the fraction of the input's area that "
          "is no longer inside the frame must be at least 0.1 (a one-pixel border of the image is 8% of "
          "it, so less could be resampling at the edges; the geometry predicts far more).",
          AtLeast(0.1), ["PIL"], measure=rotate45_lost, port=PHOTO),
    claim("I11_rotate_bound_resize_shape", "Rotation", "2506-2523",
          "rotate the image ... and then resize the rotated image back to the original size ... "
          "rotate = cv2.resize(rotate, shape, interpolation=cv2.INTER_AREA)",
          "The document's lines (shape = (image.shape[0], image.shape[1]); rotate_bound(image, 45); "
          "cv2.resize(rotate, shape, ...)) on a 40 x 60 image: the result must have the original shape "
          "40 x 60 x 3. The image is not square because OpenCV documents cv2.resize's dsize as (width, "
          "height): only a non-square image tells the document's height-first tuple from that order.",
          Exact([H, W, 3]), ["cv2"], measure=rotate_bound_resize,
          document_value="back to the original shape",
          port=PHOTO + " imutils.rotate_bound (not a dependency) is its own 9 lines of OpenCV, copied."),
    claim("I14_crop_pad_restores", "Shift", "2577-2597",
          "# Make black border to refit the image back to its original size",
          "The document's code, verbatim (drop the bottom half, pad height//4 black rows above and "
          "below), on images of height 40, 41, 42 and 43 (width 60): the output height must equal the "
          "input height for each. Four heights because the code's arithmetic, height//2 + 2*(height//4), "
          "gives back the height only when it is a multiple of 4 (41 -> 40, 42 -> 41, 43 -> 41).",
          Exact({"40": True, "41": True, "42": True, "43": True}), ["cv2"], measure=crop_pad,
          document_value="back to the original size", port=PHOTO),
    claim("I15_pil_zoom_size", "Zoom", "2614-2646",
          "Below is the apple image zoomed by a factor of two", ZOOM,
          All({"size_preserved": Exact(True), "rows": Close(2.0, atol=0.15), "columns": Close(2.0, atol=0.15)}),
          ["PIL"], measure=zoom, c_code=PIL_ZOOM_2628, port=PHOTO),
    claim("I16_cv2_zoom_size", "Zoom", "2652-2679",
          "# resize (enlarge) the cropped image back to the original size.", ZOOM,
          All({"size_preserved": Exact(True), "rows": Close(2.0, atol=0.15), "columns": Close(2.0, atol=0.15)}),
          ["cv2"], measure=zoom, c_code=CV2_ZOOM_2659, port=PHOTO),
    claim("I25_cv2_resize_hw", "Resizing", "3068",
          "Images are resized using the cv2.resize() method. The second parameter is a tuple of the height "
          "and width to resize the image to.",
          EXACT + " cv2.resize(image, (30, 50)) must then be 30 high and 50 wide. OpenCV documents dsize as "
          "(width, height), which would give 50 x 30: the non-square size tells the two orders apart "
          "(the document's example, (128, 128), is square and cannot).",
          Exact([30, 50]), ["cv2"], measure=resize_order,
          document_value="(height, width)"),
    claim("I26_cv2_resize_positional_interp", "Resizing", "3070, 3096",
          "The optional (keyword) third parameter is the interpolation algorithm ... "
          "images.append(cv2.resize(image, shape, cv2.INTER_AREA))",
          EXACT + " The document's line on a 200 x 300 noise image with shape (128, 128): the result "
          "must be the INTER_AREA resize. OpenCV's signature is cv2.resize(src, dsize[, dst[, fx[, fy[, "
          "interpolation]]]]), so the third positional argument lands in dst: the value is the "
          "interpolation flag whose keyword call gives the same pixels.",
          Exact("INTER_AREA"), ["cv2"], measure=positional_interpolation,
          document_value="INTER_AREA"),
]

READING = [
    claim("I18_pil_open_channels", "Reading Images", "2970",
          "if it's a grayscale image, it will read it in as a single channel, if it's RGB it will read it in "
          "as three channels, and if it's RGBA (+alpha channel), it will read it in as 4 channels.",
          EXACT + " Image.open of PNG files written as L, RGB and RGBA must give 1, 3 and 4 bands.",
          Exact({"L": 1, "RGB": 3, "RGBA": 4}), ["PIL"], measure=pil_open),
    claim("I19_pil_convert", "Reading Images", "2974",
          "A parameter value of 'L' will convert to single channel (grayscale) and 'RGB' to three channels "
          "(RGB color).",
          EXACT + " convert('L') of the RGB and RGBA files must give 1 channel, convert('RGB') of the "
          "L and RGBA files 3 channels (as numpy arrays: 2-D, and 3-D with 3 planes).",
          Exact({"RGB->L": 1, "RGBA->L": 1, "L->RGB": 3, "RGBA->RGB": 3}), ["PIL"], measure=pil_convert),
    claim("I20_listdir_path_bug", "Reading Images", "2984-2999",
          "Below we updated the loadImages() function to include channel conversion",
          EXACT + " The ported loadImages on a folder of one L, one RGB and one RGBA PNG must return 3 "
          "images, all 'RGB' for channels=3 and all 'L' for channels=1.",
          Exact({"count": 3, "channels=3": ["RGB"], "channels=1": ["L"]}), ["PIL"], measure=load_images,
          port="os.listdir(subdir) -> os.scandir(subdir), as in the document's first version (L2898), so "
               "that file.path exists."),
    claim("I21_pil_antialias", "Resizing", "3008-3029",
          "To minimize the effect when downsizing, it is a common practice to use the anti-aliasing "
          "algorithm in PIL. ... images.append(image.resize(shape, Image.ANTIALIAS))",
          "Downsizing a 256 x 256 RGB image of one-pixel black/white stripes to the document's (128, 128): "
          "the output must be 128 x 128 x 3, and the anti-aliased resize must at least halve the "
          "aliasing error (mean |output - 127.5|, the stripes' local mean) of an unfiltered "
          "nearest-neighbour resize, which turns the stripes into a flat black or white image.",
          All({"shape": Exact([128, 128, 3]), "error_ratio": AtMost(0.5)}), ["PIL"], measure=antialias,
          port="Image.ANTIALIAS -> Image.LANCZOS (Pillow removed the alias in 10.0; it was LANCZOS)."),
    claim("I22_np_asarray_pils", "Resizing", "3030",
          "# convert all the PIL images to numpy arrays in a single invocation return np.asarray(images)",
          EXACT + " np.asarray of a list of three 60 x 40 (width x height) RGB PIL images must be one "
          "(3, 40, 60, 3) array equal to the images converted one by one.",
          Exact({"shape": [3, H, W, 3], "equals_one_by_one": True}), ["PIL"], measure=asarray_list),
    claim("I23_cv2_imread_rgb", "Reading Images", "3044",
          "By default, cv2.imread() will convert the image to a three channel RGB image.",
          EXACT + " cv2.imread with no flag on a greyscale PNG and on an RGB PNG (written by Pillow, "
          "first pixel pure red) must give 3 channels in R, G, B order. OpenCV documents that colour "
          "images are stored in B, G, R order; the pure-red first pixel tells the two orders apart.",
          Exact({"channels_grey_file": 3, "channels_rgb_file": 3, "order": "RGB"}), ["PIL", "cv2"],
          measure=imread_default, document_value="three channel RGB"),
    claim("I24_cv2_imdecode_bytesio", "Reading Images", "3053-3064",
          "we show reading in the image from a remote location (url) and doing the channel conversion at "
          "the same time. In this case, we use the method cv2.imdecode()",
          EXACT + " cv2.imdecode of a PNG's bytes with IMREAD_GRAYSCALE must give a 40 x 60 single "
          "channel image and with IMREAD_COLOR a 40 x 60 x 3 one.",
          Exact({"IMREAD_GRAYSCALE": [H, W], "IMREAD_COLOR": [H, W, 3]}), ["cv2"], measure=imdecode,
          port="requests.get(url).content -> the bytes of a PNG made in memory (no network); "
               "BytesIO(content) -> np.frombuffer(content, np.uint8)."),
]

INTERPOLATION = [
    claim("I17_interp_quality", "Zoom", "2652",
          "The interpolation cv2.INTER_LINEAR is faster and provides nearly comparable results.",
          "Quality: the embedded MNIST test subset (1,000 real digits) shrunk 28 -> 14 with INTER_AREA "
          "and enlarged back with INTER_LINEAR and INTER_CUBIC; 'nearly comparable' = the ratio of "
          "mean RMSE to the originals, linear / cubic, within 10% of 1 (paired Fieller interval over the "
          "digits inside [0.9, 1.1]). Speed: enlarging a 256 x 256 image to 512 x 512, 200 interleaved "
          "pairs of 20 calls each; 'faster' = the ratio of mean times, linear / cubic, below 1 (paired "
          "Fieller interval over the pairs, high end <= 1: a mean of per-pair ratios is pulled up by a few "
          "pairs that a busy CPU slowed). Both intervals at the Bonferroni level for two parts. "
          "Timing on a shared CPU is noisy; the interleaving pairs the two methods under the same load.",
          All({"rmse_ratio": Between(0.9, 1.1), "time_ratio": AtMost(1.0)}), ["cv2"], tier="full",
          c_images="test", c_pairs=200, c_calls=20, measure=interpolation,
          post_hoc="time part read as the paired ratio of mean times (Fieller) instead of the mean of per-pair "
                   "ratios, after the reported run (issue 20)",
          across_seeds="One run, no seeds: the intervals are over its 1,000 digits (paired RMSE) and its "
                       "200 interleaved timing pairs, computed by the claim.",
          document_value="nearly comparable results, faster"),
]

CLAIMS = AS_WRITTEN + TRANSFORMS + GEOMETRY + READING + INTERPOLATION

test_claims = claim_test(CLAIMS)
