"""Parameter counts and output shapes of the documents' printed models, exactly.

Each model is built by its builder in harness/models.py and read back through
Keras' own ``count_params``; the rule names the fields of the document's printed
summary that are compared (per-layer counts, shapes, totals).
"""
import pytest

from harness import models
from harness.claim import Claim, Exact, Tier, cases

EXACT = "An exact count of the document's own architecture: Keras must give this number, no tolerance."


def counted(builder, **expected):
    """A fast-tier Tier comparing the fields of ``models.summary`` named in ``expected``."""
    return {"fast": Tier(Exact(expected), config={"builder": builder})}


CLAIMS = [
    Claim("one_layer_param_count", "000", "4. Theory: gradient descent", "136",
          "Remember that we have 7850 weights and biases", EXACT,
          counted("doc000_one_layer", total=7850), document_value="7,850"),
    Claim("five_layer_param_count", "000", "6. Add more Layers", "284-300",
          "Dense(200 ...), Dense(100 ...), Dense(60 ...), Dense(30 ...), Dense(10 ...)",
          EXACT + " The document does not print this summary; the counts are 784*200+200, "
          "200*100+100, 100*60+60, 60*30+30, 30*10+10.",
          counted("doc000_five_layer", layers=[0, 157000, 20100, 6060, 1830, 310], total=185300),
          document_value="185,300 (architecture, not printed)"),
    Claim("cnn_param_count", "000", "10. Lab: the 99% challenge", "600-620",
          "filters=6, kernel_size=6 ... filters=12, kernel_size=5 ... strides=2 ... filters=24, kernel_size=4",
          EXACT + " Counts 6*6*1*6+6, 5*5*6*12+12, 4*4*12*24+24, 7*7*24*200+200, 200*10+10; "
          "'same' padding with strides 1, 2, 2 gives 28x28, 14x14, 7x7 maps (L575).",
          counted("doc000_cnn", layers=[222, 1812, 4632, 0, 235400, 0, 2010], total=244076,
                  shapes=[(None, 28, 28, 6), (None, 14, 14, 12), (None, 7, 7, 24), (None, 1176),
                          (None, 200), (None, 200), (None, 10)]),
          document_value="244,076; maps 28x28x6, 14x14x12, 7x7x24"),
    Claim("bn_param_counts", "001", "1c. Batch Normalization", "153-176",
          "batch_normalization (BatchNo (None, 784) 3136 ... dense (Dense) (None, 300) 235500",
          EXACT + " The document prints 3,136 / 235,500 / 1,200 / 30,100 / 400 and a cut-off "
                  "'1' for the last Dense (1,010); BN's moving mean and variance, 2*(784+300+100) "
                  "= 2,368, are non-trainable (L178).",
          counted("doc001_bn_mlp", layers=[0, 3136, 235500, 1200, 30100, 400, 1010],
                  non_trainable=2368),
          document_value="3,136 / 235,500 / 1,200 / 30,100 / 400 / 1,0[10]; 2,368 non-trainable"),
    Claim("bn_param_counts_no_bias", "001", "1c. Batch Normalization", "199-225",
          "you can remove the bias term from the previous layer (just pass use_bias=False",
          EXACT + " Without biases the Dense layers have 784*300 = 235,200 and 300*100 = 30,000.",
          {"fast": Tier(Exact({"layers": [0, 3136, 235200, 1200, 0, 30000, 400, 0, 1010],
                               "non_trainable": 2368}),
                        config={"builder": "doc001_bn_mlp", "kwargs": {"use_bias": False}})},
          document_value="3,136 / 235,200 / 1,200 / 0 / 30,000 / 400"),
    Claim("E01_regressor_param_counts", "002", "Chapter I, Activation Functions", "368-384",
          "Total params: 261 ... 130 + 10 = 140", EXACT,
          counted("doc002_regressor_relu_layers", layers=[140, 0, 110, 0, 11], total=261),
          document_value="140 / 0 / 110 / 0 / 11, total 261"),
    Claim("M04_regressor_shorthand", "002", "Chapter I, Shorthand Syntax", "414-420",
          "dense_59 (Dense) (None, 10) 140 ... Total params: 261", EXACT,
          counted("doc002_regressor_shorthand", layers=[140, 110, 11], total=261),
          document_value="140 / 110 / 11, total 261"),
    Claim("E09_mnist_mlp_params", "002", "Chapter I, Simple Image Classifier", "704-720",
          "Total params: 669,706", EXACT + " Per Dense layer 784*512+512, 512*512+512, 512*10+10.",
          counted("doc002_mnist_mlp", layers=[0, 401920, 262656, 5130], total=669706),
          document_value="401,920 / 262,656 / 5,130, total 669,706"),
    Claim("E16_basic_cnn_params_shapes", "002", "Chapter II, Basic CNN", "907-926",
          "Total params: 8,402,618 ... 16,384 x 512 = ~8.4 million", EXACT,
          counted("doc002_basic_cnn", layers=[160, 0, 0, 0, 8389120, 0, 13338, 0], total=8402618,
                  shapes=[(None, 64, 64, 16), (None, 64, 64, 16), (None, 32, 32, 16), (None, 16384),
                          (None, 512), (None, 512), (None, 26), (None, 26)]),
          document_value="160 / 8,389,120 / 13,338, total 8,402,618; 64x64x16 -> 32x32x16 -> 16,384"),
]


@pytest.mark.parametrize("case", cases(CLAIMS))
def test_param_counts(case, judge):
    model = getattr(models, case.config["builder"])(**case.config.get("kwargs", {}))
    summary = models.summary(model)
    judge({field: summary[field] for field in case.rule.expected},
          details={"names": summary["names"], "total": summary["total"]})
