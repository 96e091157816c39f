"""002's image-processing statements (inventory rows I01-I26), checked with numpy, Pillow and
OpenCV on small synthetic images (and, for interpolation quality, the embedded MNIST subset).

The document's photo of an apple is replaced by a 40 x 60 RGB image whose pixels differ from
their mirror images (so flips and rotations can be told apart) or by a bright square on black
(so sizes and positions can be measured). Where the document's own code is runnable it is run
verbatim (``exec`` of its lines) with that image in place of ``cv2.imread``/``Image.open``.
Claims that need Pillow or OpenCV (the project's optional extra "images") skip, with the
reason, when the library is absent. Lines that no longer run are checked twice, as in
claims/test_keras_api.py: ``<id>_as_written`` (the failure) and ``<id>`` (the ported code).
"""
import io
import time
import types

import numpy as np
import pytest

from harness import data, plots, stats
from harness.claim import All, AtLeast, AtMost, Between, Claim, Close, Exact, Tier, cases

pytestmark = pytest.mark.exact_numerics("pixel values are compared exactly")

EXACT = "A library fact checked pixel for pixel or shape for shape: the rule is exact."
H, W = 40, 60


def claim(id, section, lines, quote, reason, rule, needs=(), tier="fast", **kwargs):
    """A 002 claim of Chapter III; ``needs``: libraries to import (else skip); config extra
    keyword arguments starting with ``c_`` go to the tier's config."""
    config = {"needs": list(needs), **{k[2:]: kwargs.pop(k) for k in list(kwargs) if k.startswith("c_")}}
    return Claim(id, "002", f"Chapter III, {section}", lines, quote, reason, {tier: Tier(rule, (0,), config)}, **kwargs)


def test_image(height=H, width=W):
    """(height, width, 3) uint8, distinct from its flips and rotations."""
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


def import_libraries(case):
    for name in case.config["needs"]:
        pytest.importorskip(name)


# --- the document's lines that fail today ----------------------------------------------------------

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


def as_written(id, section, lines, quote, code, error, needs, why=""):
    reason = (f"The document's code, run verbatim on synthetic images, fails today with {error[0]}: "
              f"'{error[1]}'. 'reproduced' means the failure is still there. {why}")
    return claim(id, section, lines, quote, reason.strip(), Exact({"type": error[0], "phrase": True}), needs,
                 c_code=code, c_phrase=error[1])


AS_WRITTEN = [
    as_written("I20_listdir_path_bug_as_written", "Reading Images", "2984-2999",
               "files = os.listdir(subdir) ... image = Image.open(file.path)", LOAD_IMAGES_2984,
               ("AttributeError", "'str' object has no attribute 'path'"), ["PIL"],
               "A bug of the document in any Python: os.listdir returns names (str), os.scandir (the "
               "document's first version, L2898) returns entries with .path."),
    as_written("I21_pil_antialias_as_written", "Resizing", "3029",
               "images.append(image.resize(shape, Image.ANTIALIAS))",
               "images.append(image.resize(shape, Image.ANTIALIAS))",
               ("AttributeError", "has no attribute 'ANTIALIAS'"), ["PIL"],
               "Pillow 10 removed the ANTIALIAS alias of LANCZOS."),
    as_written("I24_cv2_imdecode_bytesio_as_written", "Reading Images", "3055-3064",
               "return cv2.imdecode(BytesIO(response.content), cv2.IMREAD_GRAYSCALE)",
               "result = cv2.imdecode(BytesIO(response.content), cv2.IMREAD_GRAYSCALE)",
               ("error", "buf is not a numpy array"), ["cv2"],
               "cv2.imdecode takes a numpy buffer, not a file-like object (cv2.error is OpenCV's exception)."),
]


def write_images(folder):
    """Three PNG files in ``folder``: greyscale (L), RGB and RGBA; returns the folder."""
    from PIL import Image
    folder.mkdir(exist_ok=True)
    image = test_image()
    Image.fromarray(image[..., 0]).save(folder / "grey.png")
    Image.fromarray(image).save(folder / "rgb.png")
    Image.fromarray(np.dstack([image, np.full((H, W), 128, np.uint8)])).save(folder / "rgba.png")
    return folder


@pytest.mark.parametrize("case", cases(AS_WRITTEN))
def test_as_written_fails(case, judge, tmp_path, monkeypatch):
    import_libraries(case)
    import os
    namespace = {"os": os, "io": io, "BytesIO": io.BytesIO, "images": [], "shape": (128, 128)}
    if "PIL" in case.config["needs"]:
        from PIL import Image
        write_images(tmp_path / "cats")
        namespace.update(Image=Image, image=Image.fromarray(test_image()))
    if "cv2" in case.config["needs"]:
        import cv2
        namespace.update(cv2=cv2, response=types.SimpleNamespace(content=cv2.imencode(".png", test_image())[1].tobytes()))
    monkeypatch.chdir(tmp_path)
    try:
        exec(case.config["code"], namespace)
        value, message = {"type": None, "phrase": False}, ""
    except Exception as error:  # the subject of the claim: which exception, which message
        value, message = {"type": type(error).__name__, "phrase": case.config["phrase"] in str(error)}, str(error)
    judge(value, details={"message": message})


# --- flips, 90-degree rotations, rolls: pixel-exact transforms ------------------------------------

TRANSFORMS = [
    claim("I01_flip_is_transpose", "Flip", "2336",
          "A flip can be done efficiently as a matrix transpose function without changes (e.g., "
          "interpolation) of the pixel data.",
          EXACT + " numpy, Pillow and OpenCV left-right and upside-down flips must return exactly the "
          "input's pixels (nothing interpolated). That a flip is not the matrix transpose (which "
          "swaps height and width) is recorded in details.",
          Exact({"numpy": True, "PIL": True, "cv2": True}), ["PIL", "cv2"], c_measure="flips_keep_pixels"),
    claim("I02_rotation_is_transpose", "Translational Invariance", "2332",
          "A rotation is typically handled as a matrix transpose.",
          EXACT + " A 90-degree rotation must be the transpose followed by a flip (np.rot90 against "
          "swapaxes + flip). Other angles need interpolation (I10 measures what a 45-degree turn loses).",
          Exact({"90 degrees left": True, "90 degrees right": True}), c_measure="rotation_transpose"),
    claim("I03_pil_flips", "Flip", "2352-2375",
          "flip = image.transpose(Image.FLIP_LEFT_RIGHT) ... flip = image.transpose(Image.FLIP_TOP_BOTTOM) "
          "... ImageOps.mirror(image) ... ImageOps.flip(image)",
          EXACT + " FLIP_LEFT_RIGHT and ImageOps.mirror must mirror the columns ('on the vertical axis'), "
          "FLIP_TOP_BOTTOM and ImageOps.flip the rows ('upside down').",
          Exact({"FLIP_LEFT_RIGHT": "mirror", "FLIP_TOP_BOTTOM": "upside down", "ImageOps.mirror": "mirror",
                 "ImageOps.flip": "upside down"}), ["PIL"], c_measure="pil_flips"),
    claim("I04_cv2_flips", "Flip", "2392-2396, 2461",
          "flip = cv2.flip(image, 1) ... flip = cv2.flip(image, 0) ... rotate = cv2.flip(image, -1)",
          EXACT + " cv2.flip codes 1, 0 and -1 must give the mirror, the upside-down image and the "
          "180-degree rotation.",
          Exact({"1": "mirror", "0": "upside down", "-1": "rotated 180"}), ["cv2"], c_measure="cv2_flips"),
    claim("I05_np_flips", "Flip", "2412-2419",
          "flip = np.flip(image, 1) ... flip = np.flip(image, 0)",
          EXACT + " np.flip along axis 1 must mirror, along axis 0 turn upside down.",
          Exact({"1": "mirror", "0": "upside down"}), c_measure="np_flips"),
    claim("I06_rot90_lossless", "Rotate 90/180/270", "2425",
          "Like a flip, the operation is very efficient, and does not require interpolation of pixels and "
          "does not have a side effect of clipping.",
          EXACT + " np.rot90 (k = 1, 2, 3) and Pillow's ROTATE_90/180/270 must return exactly the "
          "input's pixels, all of them (no interpolation, no clipping).",
          Exact({"numpy": True, "PIL": True}), ["PIL"], c_measure="rot90_keeps_pixels"),
    claim("I07_rot90_left", "Rotate 90/180/270", "2425, 2438",
          "a matrix transpose operation can be used to rotate an image 90 degrees (left), 180 degrees, and "
          "270 degrees (right)",
          EXACT + " Pillow's ROTATE_90 and np.rot90(k=1) must turn the image to the left (counter-"
          "clockwise: pixel (r, c) to (W-1-c, r)); ROTATE_270 and np.rot90(k=3) to the right.",
          Exact({"ROTATE_90": "left", "ROTATE_270": "right", "rot90 k=1": "left", "rot90 k=3": "right"}),
          ["PIL"], c_measure="rot90_direction"),
    claim("I08_opencv_no_rot90", "Rotate 90/180/270", "2451",
          "OpenCV does not have a transpose method for 90 or 270 degrees",
          EXACT + " The document's words: OpenCV has no 90/270-degree rotation. Expected refuted: "
          "cv2.rotate with ROTATE_90_COUNTERCLOCKWISE / ROTATE_90_CLOCKWISE does exactly that (since "
          "OpenCV 3.2, 2016), and cv2.transpose exists.",
          Exact({"has_90_and_270_rotation": False}), ["cv2"], c_measure="cv2_rotate",
          expect="refuted", document_value="no 90/270 rotation in OpenCV"),
    claim("I09_rot90_swaps_hw", "Rotate 90/180/270", "2488",
          "If not, the height and width will be transposed in the rotated image",
          EXACT + " np.rot90 of a 40 x 60 image, k = 1 and 3, must be 60 x 40.",
          Exact({"k=1": [60, 40, 3], "k=3": [60, 40, 3]}), c_measure="rot90_shape"),
    claim("I12_roll_directions", "Shift", "2550-2565",
          "roll = np.roll(image, height // 10, axis=0) ... shift the image down by 10%",
          EXACT + " np.roll by +/- height//10 on axis 0 must shift down / up, by +/- width//10 on "
          "axis 1 right / left (row r moves to r + 4, column c to c + 6).",
          Exact({"down": True, "up": True, "right": True, "left": True}), c_measure="roll_directions"),
    claim("I13_roll_wraps", "Shift", "2569",
          "the pixels that are shifted off the end are added to the beginning",
          EXACT + " After np.roll(image, 4, axis=0) the first 4 rows must be the input's last 4.",
          Exact(True), c_measure="roll_wraps"),
]


def flips_keep_pixels(case):
    import cv2
    from PIL import Image
    image = test_image()
    flips = {"numpy": [np.flip(image, 1), np.flip(image, 0)],
             "PIL": [np.asarray(Image.fromarray(image).transpose(t)) for t in (Image.FLIP_LEFT_RIGHT, Image.FLIP_TOP_BOTTOM)],
             "cv2": [cv2.flip(image, 1), cv2.flip(image, 0)]}
    return {"value": {lib: all(permutes(f, image) for f in outs) for lib, outs in flips.items()},
            "details": {"transpose_shape": list(np.swapaxes(image, 0, 1).shape), "flip_shape": list(image.shape)}}


def rotation_transpose(case):
    image = test_image()
    return {"value": {"90 degrees left": bool(np.array_equal(np.rot90(image, 1), np.swapaxes(image, 0, 1)[::-1])),
                      "90 degrees right": bool(np.array_equal(np.rot90(image, 3), np.swapaxes(image, 0, 1)[:, ::-1]))}}


def named(out, image, names):
    """Which of the named reference transforms of ``image`` ``out`` equals ('none' if none)."""
    references = {"mirror": image[:, ::-1], "upside down": image[::-1], "rotated 180": image[::-1, ::-1],
                  "left": left(image), "right": right(image)}
    return next((n for n in names if np.array_equal(np.asarray(out), references[n])), "none")


def pil_flips(case):
    from PIL import Image, ImageOps
    image, names = test_image(), ("mirror", "upside down")
    pil = Image.fromarray(image)
    outs = {"FLIP_LEFT_RIGHT": pil.transpose(Image.FLIP_LEFT_RIGHT), "FLIP_TOP_BOTTOM": pil.transpose(Image.FLIP_TOP_BOTTOM),
            "ImageOps.mirror": ImageOps.mirror(pil), "ImageOps.flip": ImageOps.flip(pil)}
    return {"value": {k: named(v, image, names) for k, v in outs.items()}}


def cv2_flips(case):
    import cv2
    image = test_image()
    return {"value": {str(code): named(cv2.flip(image, code), image, ("mirror", "upside down", "rotated 180"))
                      for code in (1, 0, -1)}}


def np_flips(case):
    image = test_image()
    return {"value": {str(axis): named(np.flip(image, axis), image, ("mirror", "upside down")) for axis in (1, 0)}}


def rot90_keeps_pixels(case):
    from PIL import Image
    image = test_image()
    pil = Image.fromarray(image)
    outs = {"numpy": [np.rot90(image, k) for k in (1, 2, 3)],
            "PIL": [np.asarray(pil.transpose(t)) for t in (Image.ROTATE_90, Image.ROTATE_180, Image.ROTATE_270)]}
    return {"value": {lib: all(permutes(o, image) for o in rotated) for lib, rotated in outs.items()},
            "details": {"four_quarter_turns_identity": bool(np.array_equal(np.rot90(image, 4), image))}}


def rot90_direction(case):
    from PIL import Image
    image = test_image()
    pil = Image.fromarray(image)
    outs = {"ROTATE_90": pil.transpose(Image.ROTATE_90), "ROTATE_270": pil.transpose(Image.ROTATE_270),
            "rot90 k=1": np.rot90(image, 1), "rot90 k=3": np.rot90(image, 3)}
    return {"value": {k: named(v, image, ("left", "right")) for k, v in outs.items()}}


def cv2_rotate(case):
    import cv2
    image = test_image()
    has = hasattr(cv2, "rotate") and named(cv2.rotate(image, cv2.ROTATE_90_COUNTERCLOCKWISE), image, ("left",)) == "left" \
        and named(cv2.rotate(image, cv2.ROTATE_90_CLOCKWISE), image, ("right",)) == "right"
    return {"value": {"has_90_and_270_rotation": bool(has)},
            "details": {"cv2.transpose_is_transpose": bool(np.array_equal(cv2.transpose(image), np.swapaxes(image, 0, 1))),
                        "opencv": cv2.__version__}}


def rot90_shape(case):
    image = test_image()
    return {"value": {f"k={k}": list(np.rot90(image, k).shape) for k in (1, 3)}}


def roll_directions(case):
    image = test_image()
    dy, dx = H // 10, W // 10
    return {"value": {"down": bool(np.array_equal(np.roll(image, dy, axis=0)[dy:], image[:-dy])),
                      "up": bool(np.array_equal(np.roll(image, -dy, axis=0)[:-dy], image[dy:])),
                      "right": bool(np.array_equal(np.roll(image, dx, axis=1)[:, dx:], image[:, :-dx])),
                      "left": bool(np.array_equal(np.roll(image, -dx, axis=1)[:, :-dx], image[:, dx:]))}}


def roll_wraps(case):
    image = test_image()
    rolled = np.roll(image, H // 10, axis=0)
    half = np.roll(square_image(), H // 2, axis=0)
    return {"value": bool(np.array_equal(rolled[:H // 10], image[-(H // 10):])),
            "details": {"50%_shift_square_rows": sorted(set(np.nonzero(half[..., 0])[0].tolist()))}}


TRANSFORM_MEASURES = {f.__name__: f for f in (flips_keep_pixels, rotation_transpose, pil_flips, cv2_flips, np_flips,
                                              rot90_keeps_pixels, rot90_direction, cv2_rotate, rot90_shape,
                                              roll_directions, roll_wraps)}


@pytest.mark.parametrize("case", cases(TRANSFORMS))
def test_pixel_transforms(case, judge):
    import_libraries(case)
    judge(**TRANSFORM_MEASURES[case.config["measure"]](case))


# --- rotation by 45 degrees, crops, zooms and resizes: sizes and positions ----------------------------

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

GEOMETRY = [
    claim("I10_rotate45_clips", "Rotation", "2498-2500",
          "if you rotate an image within the same size boundaries, other than 90, 180, or 270, a portion "
          "of the edge of the image will end up outside the boundary (i.e., clipped)",
          "Pillow's image.rotate(45) of an all-white 40 x 60 mask: the fraction of the input's area that "
          "is no longer inside the frame must be at least 0.1 (a one-pixel border of the image is 8% of "
          "it, so less could be resampling at the edges; the geometry predicts far more).",
          AtLeast(0.1), ["PIL"], c_measure="rotate45_lost", port=PHOTO),
    claim("I11_rotate_bound_resize_shape", "Rotation", "2506-2523",
          "rotate the image ... and then resize the rotated image back to the original size ... "
          "rotate = cv2.resize(rotate, shape, interpolation=cv2.INTER_AREA)",
          "The document's lines (shape = (image.shape[0], image.shape[1]); rotate_bound(image, 45); "
          "cv2.resize(rotate, shape, ...)) on a 40 x 60 image: the result must have the original shape "
          "40 x 60 x 3. Expected refuted: cv2.resize takes (width, height), so the height-first "
          "tuple gives 60 x 40 for any non-square image.",
          Exact([H, W, 3]), ["cv2"], c_measure="rotate_bound_resize", expect="refuted",
          document_value="back to the original shape",
          port=PHOTO + " imutils.rotate_bound (not a dependency) is its own 9 lines of OpenCV, copied."),
    claim("I14_crop_pad_restores", "Shift", "2577-2597",
          "# Make black border to refit the image back to its original size",
          "The document's code, verbatim (drop the bottom half, pad height//4 black rows above and "
          "below), on images of height 40, 41, 42 and 43 (width 60): the output height must equal the "
          "input height for each. Expected refuted: height//2 + 2*(height//4) equals the height only "
          "when it is a multiple of 4 (41 -> 40, 42 -> 41, 43 -> 41).",
          Exact({"40": True, "41": True, "42": True, "43": True}), ["cv2"], c_measure="crop_pad",
          expect="refuted", document_value="back to the original size", port=PHOTO),
    claim("I15_pil_zoom_size", "Zoom", "2614-2646",
          "Below is the apple image zoomed by a factor of two", ZOOM,
          All({"size_preserved": Exact(True), "rows": Close(2.0, atol=0.15), "columns": Close(2.0, atol=0.15)}),
          ["PIL"], c_measure="zoom", c_code=PIL_ZOOM_2628, port=PHOTO),
    claim("I16_cv2_zoom_size", "Zoom", "2652-2679",
          "# resize (enlarge) the cropped image back to the original size.", ZOOM,
          All({"size_preserved": Exact(True), "rows": Close(2.0, atol=0.15), "columns": Close(2.0, atol=0.15)}),
          ["cv2"], c_measure="zoom", c_code=CV2_ZOOM_2659, port=PHOTO),
    claim("I25_cv2_resize_hw", "Resizing", "3068",
          "Images are resized using the cv2.resize() method. The second parameter is a tuple of the height "
          "and width to resize the image to.",
          EXACT + " cv2.resize(image, (30, 50)) must then be 30 high and 50 wide. Expected refuted: "
          "OpenCV's dsize is (width, height), giving 50 x 30. (The document's example, (128, 128), is "
          "square and cannot show it.)",
          Exact([30, 50]), ["cv2"], c_measure="resize_order", expect="refuted",
          document_value="(height, width)"),
    claim("I26_cv2_resize_positional_interp", "Resizing", "3070, 3096",
          "The optional (keyword) third parameter is the interpolation algorithm ... "
          "images.append(cv2.resize(image, shape, cv2.INTER_AREA))",
          EXACT + " The document's line on a 200 x 300 noise image with shape (128, 128): the result "
          "must be the INTER_AREA resize. Expected refuted: the third positional parameter of "
          "cv2.resize is dst, so INTER_AREA is ignored and the default INTER_LINEAR is used.",
          Exact("INTER_AREA"), ["cv2"], c_measure="positional_interpolation", expect="refuted",
          document_value="INTER_AREA"),
]


def rotate45_lost(case):
    from PIL import Image
    mask = Image.fromarray(np.full((H, W), 255, np.uint8))
    lost = {expand: 1 - float((np.asarray(mask.rotate(45, expand=expand)) > 127).sum()) / (H * W)
            for expand in (False, True)}
    return {"value": lost[False], "details": {"lost_with_expand_True": lost[True]}}


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
    import cv2
    shapes = {}
    for height, width in ((H, W), (W, W)):
        namespace = {"cv2": cv2, "imutils": types.SimpleNamespace(rotate_bound=rotate_bound),
                     "image": test_image(height, width)}
        exec(ROTATE_BOUND_2511, namespace)
        shapes[f"{height}x{width}"] = list(namespace["rotate"].shape)
    return {"value": shapes[f"{H}x{W}"], "details": {"output_shapes": shapes}}


def crop_pad(case):
    import cv2
    heights = {}
    for height in (40, 41, 42, 43):
        namespace = {"cv2": cv2, "image": test_image(height, W)}
        exec(CROP_PAD_2586, namespace)
        heights[str(height)] = namespace["image"].shape[0]
    return {"value": {h: out == int(h) for h, out in heights.items()}, "details": {"output_heights": heights}}


def zoom(case):
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
    return {"value": {"size_preserved": out.shape == square_image().shape, "rows": rows / 10, "columns": cols / 10},
            "details": {"output_shape": list(out.shape), "square_top_left": [top, col],
                        "square_centre": [top + (rows - 1) / 2, col + (cols - 1) / 2],
                        "image_centre": [(H - 1) / 2, (W - 1) / 2]}}


def resize_order(case):
    import cv2
    return {"value": list(cv2.resize(test_image(), (30, 50)).shape[:2])}


def positional_interpolation(case):
    import cv2
    image = np.random.default_rng(case.seeds[0]).integers(0, 256, (200, 300, 3)).astype(np.uint8)
    namespace = {"cv2": cv2, "image": image, "shape": (128, 128), "images": []}
    exec("images.append(cv2.resize(image, shape, cv2.INTER_AREA))", namespace)
    out = namespace["images"][0]
    methods = ("INTER_NEAREST", "INTER_LINEAR", "INTER_CUBIC", "INTER_AREA", "INTER_LANCZOS4")
    results = {m: cv2.resize(image, (128, 128), interpolation=getattr(cv2, m)) for m in methods}
    matched = [m for m in methods if np.array_equal(out, results[m])]
    return {"value": matched[0] if len(matched) == 1 else matched,
            "details": {"INTER_AREA_vs_INTER_LINEAR_max_difference": int(np.abs(
                results["INTER_AREA"].astype(int) - results["INTER_LINEAR"]).max())}}


GEOMETRY_MEASURES = {f.__name__: f for f in (rotate45_lost, rotate_bound_resize, crop_pad, zoom, resize_order,
                                             positional_interpolation)}


@pytest.mark.parametrize("case", cases(GEOMETRY))
def test_geometry(case, judge):
    import_libraries(case)
    judge(**GEOMETRY_MEASURES[case.config["measure"]](case))


# --- reading, converting and stacking images --------------------------------------------------------

READING = [
    claim("I18_pil_open_channels", "Reading Images", "2970",
          "if it's a grayscale image, it will read it in as a single channel, if it's RGB it will read it in "
          "as three channels, and if it's RGBA (+alpha channel), it will read it in as 4 channels.",
          EXACT + " Image.open of PNG files written as L, RGB and RGBA must give 1, 3 and 4 bands.",
          Exact({"L": 1, "RGB": 3, "RGBA": 4}), ["PIL"], c_measure="pil_open"),
    claim("I19_pil_convert", "Reading Images", "2974",
          "A parameter value of 'L' will convert to single channel (grayscale) and 'RGB' to three channels "
          "(RGB color).",
          EXACT + " convert('L') of the RGB and RGBA files must give 1 channel, convert('RGB') of the "
          "L and RGBA files 3 channels (as numpy arrays: 2-D, and 3-D with 3 planes).",
          Exact({"RGB->L": 1, "RGBA->L": 1, "L->RGB": 3, "RGBA->RGB": 3}), ["PIL"], c_measure="pil_convert"),
    claim("I20_listdir_path_bug", "Reading Images", "2984-2999",
          "Below we updated the loadImages() function to include channel conversion",
          EXACT + " The ported loadImages on a folder of one L, one RGB and one RGBA PNG must return 3 "
          "images, all 'RGB' for channels=3 and all 'L' for channels=1.",
          Exact({"count": 3, "channels=3": ["RGB"], "channels=1": ["L"]}), ["PIL"], c_measure="load_images",
          port="os.listdir(subdir) -> os.scandir(subdir), as in the document's first version (L2898), so "
               "that file.path exists."),
    claim("I21_pil_antialias", "Resizing", "3008-3029",
          "To minimize the effect when downsizing, it is a common practice to use the anti-aliasing "
          "algorithm in PIL. ... images.append(image.resize(shape, Image.ANTIALIAS))",
          "Downsizing a 256 x 256 RGB image of one-pixel black/white stripes to the document's (128, 128): "
          "the output must be 128 x 128 x 3, and the anti-aliased resize must at least halve the "
          "aliasing error (mean |output - 127.5|, the stripes' local mean) of an unfiltered "
          "nearest-neighbour resize, which turns the stripes into a flat black or white image.",
          All({"shape": Exact([128, 128, 3]), "error_ratio": AtMost(0.5)}), ["PIL"], c_measure="antialias",
          port="Image.ANTIALIAS -> Image.LANCZOS (Pillow removed the alias in 10.0; it was LANCZOS)."),
    claim("I22_np_asarray_pils", "Resizing", "3030",
          "# convert all the PIL images to numpy arrays in a single invocation return np.asarray(images)",
          EXACT + " np.asarray of a list of three 60 x 40 (width x height) RGB PIL images must be one "
          "(3, 40, 60, 3) array equal to the images converted one by one.",
          Exact({"shape": [3, H, W, 3], "equals_one_by_one": True}), ["PIL"], c_measure="asarray_list"),
    claim("I23_cv2_imread_rgb", "Reading Images", "3044",
          "By default, cv2.imread() will convert the image to a three channel RGB image.",
          EXACT + " cv2.imread with no flag on a greyscale PNG and on an RGB PNG (written by Pillow, "
          "first pixel pure red) must give 3 channels in R, G, B order. Expected refuted: three "
          "channels yes, but in B, G, R order (red reads as [0, 0, 255]).",
          Exact({"channels_grey_file": 3, "channels_rgb_file": 3, "order": "RGB"}), ["PIL", "cv2"],
          c_measure="imread_default", expect="refuted", document_value="three channel RGB"),
    claim("I24_cv2_imdecode_bytesio", "Reading Images", "3053-3064",
          "we show reading in the image from a remote location (url) and doing the channel conversion at "
          "the same time. In this case, we use the method cv2.imdecode()",
          EXACT + " cv2.imdecode of a PNG's bytes with IMREAD_GRAYSCALE must give a 40 x 60 single "
          "channel image and with IMREAD_COLOR a 40 x 60 x 3 one.",
          Exact({"IMREAD_GRAYSCALE": [H, W], "IMREAD_COLOR": [H, W, 3]}), ["cv2"], c_measure="imdecode",
          port="requests.get(url).content -> the bytes of a PNG made in memory (no network); "
               "BytesIO(content) -> np.frombuffer(content, np.uint8)."),
]


def pil_open(case, tmp_path):
    from PIL import Image
    folder = write_images(tmp_path / "images")
    return {"value": {Image.open(folder / f"{n}.png").mode: len(Image.open(folder / f"{n}.png").getbands())
                      for n in ("grey", "rgb", "rgba")}}


def pil_convert(case, tmp_path):
    from PIL import Image
    folder = write_images(tmp_path / "images")
    files = {"RGB": "rgb", "RGBA": "rgba", "L": "grey"}
    channels = {}
    for source, target in (("RGB", "L"), ("RGBA", "L"), ("L", "RGB"), ("RGBA", "RGB")):
        array = np.asarray(Image.open(folder / f"{files[source]}.png").convert(target))
        channels[f"{source}->{target}"] = 1 if array.ndim == 2 else array.shape[2]
    return {"value": channels}


def load_images(case, tmp_path, monkeypatch):
    import os
    from PIL import Image
    write_images(tmp_path / "cats")
    monkeypatch.chdir(tmp_path)
    namespace = {"os": os, "Image": Image}
    exec(LOAD_IMAGES_2984.replace("os.listdir(subdir)", "os.scandir(subdir)"), namespace)
    loaded = {c: namespace["loadImages"]("cats", c) for c in (3, 1)}
    return {"value": {"count": len(loaded[3]), "channels=3": sorted({i.mode for i in loaded[3]}),
                      "channels=1": sorted({i.mode for i in loaded[1]})}}


def antialias(case, tmp_path):
    from PIL import Image
    stripes = np.zeros((256, 256, 3), np.uint8)
    stripes[:, ::2] = 255
    image = Image.fromarray(stripes)
    errors = {name: float(np.abs(np.asarray(image.resize((128, 128), getattr(Image, name)), float) - 127.5).mean())
              for name in ("LANCZOS", "NEAREST")}
    return {"value": {"shape": list(np.asarray(image.resize((128, 128), Image.LANCZOS)).shape),
                      "error_ratio": errors["LANCZOS"] / errors["NEAREST"]},
            "details": {"mean_abs_error": errors}}


def asarray_list(case, tmp_path):
    from PIL import Image
    images = [Image.fromarray(np.roll(test_image(), k, axis=1)) for k in range(3)]
    stacked = np.asarray(images)
    return {"value": {"shape": list(stacked.shape),
                      "equals_one_by_one": bool(np.array_equal(stacked, np.stack([np.asarray(i) for i in images])))}}


def imread_default(case, tmp_path):
    import cv2
    from PIL import Image
    red = np.zeros((4, 4, 3), np.uint8)
    red[..., 0] = 255
    Image.fromarray(red).save(tmp_path / "red.png")
    Image.fromarray(red[..., 0]).save(tmp_path / "grey.png")
    colour, grey = cv2.imread(str(tmp_path / "red.png")), cv2.imread(str(tmp_path / "grey.png"))
    order = {(255, 0, 0): "RGB", (0, 0, 255): "BGR"}.get(tuple(colour[0, 0].tolist()), str(colour[0, 0].tolist()))
    return {"value": {"channels_grey_file": grey.shape[2], "channels_rgb_file": colour.shape[2], "order": order},
            "details": {"red_pixel_as_read": colour[0, 0].tolist()}}


def imdecode(case, tmp_path):
    import cv2
    content = cv2.imencode(".png", test_image())[1].tobytes()
    decoded = {flag: cv2.imdecode(np.frombuffer(content, np.uint8), getattr(cv2, flag))
               for flag in ("IMREAD_GRAYSCALE", "IMREAD_COLOR")}
    return {"value": {flag: list(image.shape) for flag, image in decoded.items()},
            "details": {"colour_lossless": bool(np.array_equal(decoded["IMREAD_COLOR"], test_image()))}}


READING_MEASURES = {f.__name__: f for f in (pil_open, pil_convert, antialias, asarray_list, imread_default, imdecode)}


@pytest.mark.parametrize("case", cases(READING))
def test_reading_images(case, judge, tmp_path, monkeypatch):
    import_libraries(case)
    if case.config["measure"] == "load_images":
        judge(**load_images(case, tmp_path, monkeypatch))
    else:
        judge(**READING_MEASURES[case.config["measure"]](case, tmp_path))


# --- interpolation quality and speed (full tier: timing) ----------------------------------------------

INTERPOLATION = [
    claim("I17_interp_quality", "Zoom", "2652",
          "The interpolation cv2.INTER_LINEAR is faster and provides nearly comparable results.",
          "Quality: the embedded MNIST test subset (1,000 real digits) shrunk 28 -> 14 with INTER_AREA "
          "and enlarged back with INTER_LINEAR and INTER_CUBIC; 'nearly comparable' = the ratio of "
          "mean RMSE to the originals, linear / cubic, within 10% of 1 (paired bootstrap interval inside "
          "[0.9, 1.1]). Speed: enlarging a 256 x 256 image to 512 x 512, 200 interleaved pairs of 20 "
          "calls each; 'faster' = the mean time ratio linear / cubic below 1 (bootstrap interval). "
          "Measured once on the test subset, with this rule already written (no pilot run): RMSE "
          "ratio 1.268 [1.264, 1.272], linear is 27% further from the originals than cubic; time "
          "ratio inconclusive on the shared, loaded 2-core CPU (1.15 [0.95, 1.39] and 0.92 [0.81, "
          "1.06] in two runs, although the median call favours linear, 0.18 vs 0.27 ms). Expected "
          "refuted on the quality part; the rule is kept as written.",
          All({"rmse_ratio": Between(0.9, 1.1), "time_ratio": AtMost(1.0)}), ["cv2"], tier="full",
          c_measure="interpolation", c_images="test", c_pairs=200, c_calls=20,
          expect="refuted", document_value="nearly comparable results, faster"),
]


def interpolation(case):
    import cv2
    subset = data.subset("mnist")
    digits = subset.x_test if case.config["images"] == "test" else subset.x_train[:1000]
    rmse = {name: [] for name in ("INTER_LINEAR", "INTER_CUBIC")}
    for digit in digits:
        small = cv2.resize(digit, (14, 14), interpolation=cv2.INTER_AREA)
        for name in rmse:
            back = cv2.resize(small, (28, 28), interpolation=getattr(cv2, name)).astype(float)
            rmse[name].append(float(np.sqrt(np.mean((back - digit) ** 2))))
    quality = stats.paired_ratio_ci(rmse["INTER_LINEAR"], rmse["INTER_CUBIC"])
    large = np.ascontiguousarray(np.tile(digits[0], (10, 10))[:256, :256])
    times = {name: [] for name in rmse}
    for _ in range(case.config["pairs"]):
        for name in rmse:
            start = time.perf_counter()
            for _ in range(case.config["calls"]):
                cv2.resize(large, (512, 512), interpolation=getattr(cv2, name))
            times[name].append(time.perf_counter() - start)
    speed = stats.bootstrap_ci(np.array(times["INTER_LINEAR"]) / np.array(times["INTER_CUBIC"]))
    figure = plots.histogram(rmse, xlabel="RMSE to the original digit (grey levels)",
                             title="I17: 14 -> 28 px enlargement of 1,000 MNIST digits")
    return {"value": {"rmse_ratio": quality.point, "time_ratio": speed.point},
            "interval": {"rmse_ratio": quality, "time_ratio": speed}, "figure": figure,
            "details": {"mean_rmse": {k: float(np.mean(v)) for k, v in rmse.items()},
                        "median_seconds_per_call": {k: float(np.median(v)) / case.config["calls"] for k, v in times.items()}}}


@pytest.mark.parametrize("case", cases(INTERPOLATION))
def test_interpolation(case, judge):
    import_libraries(case)
    judge(**interpolation(case))


CLAIMS = AS_WRITTEN + TRANSFORMS + GEOMETRY + READING + INTERPOLATION
