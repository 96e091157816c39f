"""Parameter counts and output shapes of the documents' printed models, exactly.

Each model is built by its builder in harness/kit/models.py (once per session, models.built)
and read back through Keras' own ``count_params``; the rule names the fields of the
document's printed summary that are compared (per-layer counts, shapes, totals). Where the
document prints no summary, the fields are the counts of its architecture. A model too big
to build (002's M16, 4.3e9 parameters) is counted by ``analytic_counts``: built at a small
input, its Dense layers recounted for the document's input.
"""
import math

import keras
import pytest

from harness.kit import models
from harness.engine.claim import Between, Claim, Exact, Measured, Tier, claim_test

pytestmark = pytest.mark.exact_numerics("parameter counts are checked exactly")

EXACT = "An exact count of the document's own architecture: Keras must give this number, no tolerance."
NOT_PRINTED = EXACT + " The document prints no summary for this model: the counts are its architecture's, "
INPUT = "input_shape= -> keras.Input(shape)."
PORT_RESNET50 = ("Indentation of the blocks' tails restored (L1342-1349, L1472-1481); calls fixed from "
                 "projection_block(64, x) / identity_block(64, x) to the signature's (x, 64) (L1399-1427); "
                 "input_shape -> keras.Input.")


def counted(builder, kwargs=None, tier="fast", **expected):
    """A Tier (fast unless said) comparing the fields of ``models.summary`` named in
    ``expected`` for ``builder(**kwargs)``."""
    return {tier: Tier(Exact(expected), config={"builder": builder, "kwargs": kwargs or {}})}


def summary_fields(case) -> Measured:
    """The fields of ``models.summary`` that the rule names, for the case's builder(**kwargs)."""
    model = models.built(case.config["builder"], **case.config.get("kwargs", {}))
    summary = models.summary(model)
    return Measured({field: summary[field] for field in case.rule.expected},
                    details={"names": summary["names"], "total": summary["total"]})


def total_parameters(case) -> Measured:
    """The model's total parameter count (weights and biases), per layer in details."""
    model = models.built(case.config["builder"], **case.config.get("kwargs", {}))
    summary = models.summary(model)
    return Measured(summary["total"], details={"layers": summary["layers"], "names": summary["names"],
                                               "log10_total": math.log10(summary["total"])})


def analytic_counts(case) -> Measured:
    """Counts of a model too big to build. Keras builds and counts it at a small input; the
    layers whose count depends on the input size, the Dense layers, are recounted for the
    document's input: (input features x units + units), the input features from Keras'
    shape inference (compute_output_shape, which allocates nothing)."""
    config = case.config
    small = getattr(models, config["builder"])(input_shape=config["small_input_shape"])
    summary = models.summary(small)
    layers, shape = [], (None, *config["input_shape"])
    for layer, count in zip(small.layers, summary["layers"]):
        if isinstance(layer, keras.layers.Dense):
            count = shape[-1] * layer.units + (layer.units if layer.use_bias else 0)
        layers.append(count)
        shape = layer.compute_output_shape(shape)
    return Measured({"layers": layers, "total": sum(layers), "non_trainable": summary["non_trainable"]},
                    details={"small_input_layers": summary["layers"], "float32_GB": sum(layers) * 4 / 1e9})


COUNTED = [
    Claim("one_layer_param_count", "000", "4. Theory: gradient descent", "136",
          "Remember that we have 7850 weights and biases", EXACT,
          counted("doc000_one_layer", total=7850), measure=summary_fields, document_value="7,850"),
    Claim("five_layer_param_count", "000", "6. Add more Layers", "284-300",
          "Dense(200 ...), Dense(100 ...), Dense(60 ...), Dense(30 ...), Dense(10 ...)",
          EXACT + " The document does not print this summary; the counts are 784*200+200, "
          "200*100+100, 100*60+60, 60*30+30, 30*10+10.",
          counted("doc000_five_layer", layers=[0, 157000, 20100, 6060, 1830, 310], total=185300),
          measure=summary_fields, document_value="185,300 (architecture, not printed)"),
    Claim("cnn_param_count", "000", "10. Lab: the 99% challenge", "600-620",
          "filters=6, kernel_size=6 ... filters=12, kernel_size=5 ... strides=2 ... filters=24, kernel_size=4",
          EXACT + " Counts 6*6*1*6+6, 5*5*6*12+12, 4*4*12*24+24, 7*7*24*200+200, 200*10+10; "
          "'same' padding with strides 1, 2, 2 gives 28x28, 14x14, 7x7 maps (L575).",
          counted("doc000_cnn", layers=[222, 1812, 4632, 0, 235400, 0, 2010], total=244076,
                  shapes=[(None, 28, 28, 6), (None, 14, 14, 12), (None, 7, 7, 24), (None, 1176),
                          (None, 200), (None, 200), (None, 10)]),
          measure=summary_fields, document_value="244,076; maps 28x28x6, 14x14x12, 7x7x24"),
    Claim("bn_param_counts", "001", "1c. Batch Normalization", "153-176",
          "batch_normalization (BatchNo (None, 784) 3136 ... dense (Dense) (None, 300) 235500",
          EXACT + " The document prints 3,136 / 235,500 / 1,200 / 30,100 / 400 and a cut-off "
                  "'1' for the last Dense (1,010); BN's moving mean and variance, 2*(784+300+100) "
                  "= 2,368, are non-trainable (L178).",
          counted("doc001_bn_mlp", layers=[0, 3136, 235500, 1200, 30100, 400, 1010],
                  non_trainable=2368),
          measure=summary_fields, document_value="3,136 / 235,500 / 1,200 / 30,100 / 400 / 1,0[10]; 2,368 non-trainable"),
    Claim("bn_param_counts_no_bias", "001", "1c. Batch Normalization", "199-225",
          "you can remove the bias term from the previous layer (just pass use_bias=False",
          EXACT + " Without biases the Dense layers have 784*300 = 235,200 and 300*100 = 30,000.",
          {"fast": Tier(Exact({"layers": [0, 3136, 235200, 1200, 0, 30000, 400, 0, 1010],
                               "non_trainable": 2368}),
                        config={"builder": "doc001_bn_mlp", "kwargs": {"use_bias": False}})},
          measure=summary_fields, document_value="3,136 / 235,200 / 1,200 / 0 / 30,000 / 400"),
    Claim("E01_regressor_param_counts", "002", "Chapter I, Activation Functions", "368-384",
          "Total params: 261 ... 130 + 10 = 140", EXACT,
          counted("doc002_regressor_relu_layers", layers=[140, 0, 110, 0, 11], total=261),
          measure=summary_fields, document_value="140 / 0 / 110 / 0 / 11, total 261"),
    Claim("M04_regressor_shorthand", "002", "Chapter I, Shorthand Syntax", "414-420",
          "dense_59 (Dense) (None, 10) 140 ... Total params: 261", EXACT,
          counted("doc002_regressor_shorthand", layers=[140, 110, 11], total=261),
          measure=summary_fields, document_value="140 / 110 / 11, total 261"),
    Claim("E09_mnist_mlp_params", "002", "Chapter I, Simple Image Classifier", "704-720",
          "Total params: 669,706", EXACT + " Per Dense layer 784*512+512, 512*512+512, 512*10+10.",
          counted("doc002_mnist_mlp", layers=[0, 401920, 262656, 5130], total=669706),
          measure=summary_fields, document_value="401,920 / 262,656 / 5,130, total 669,706"),
    Claim("E16_basic_cnn_params_shapes", "002", "Chapter II, Basic CNN", "907-926",
          "Total params: 8,402,618 ... 16,384 x 512 = ~8.4 million", EXACT,
          counted("doc002_basic_cnn", layers=[160, 0, 0, 0, 8389120, 0, 13338, 0], total=8402618,
                  shapes=[(None, 64, 64, 16), (None, 64, 64, 16), (None, 32, 32, 16), (None, 16384),
                          (None, 512), (None, 512), (None, 26), (None, 26)]),
          measure=summary_fields, document_value="160 / 8,389,120 / 13,338, total 8,402,618; 64x64x16 -> 32x32x16 -> 16,384"),
    Claim("M01_regressor_seq", "002", "Chapter I, The Dense() Layer", "239-245, 256-263",
          "model.add(Dense(10, input_shape=(13,))) ... model.add(Dense(10)) ... model.add(Dense(1))",
          NOT_PRINTED + "13*10+10, 10*10+10, 10*1+1. The add() and list forms are one model.",
          counted("doc002_dnn", layers=[140, 110, 11], total=261), port=INPUT,
          measure=summary_fields, document_value="not printed; 140 / 110 / 11 = 261 (architecture)"),
    Claim("M02_regressor_functional", "002", "Chapter I, The Dense() Layer", "282-290",
          "inputs = Input((13,)) ... model = Model(inputs, output)",
          NOT_PRINTED + "as M01, after the Functional model's InputLayer.",
          counted("doc002_dnn", {"functional": True}, layers=[0, 140, 110, 11], total=261),
          measure=summary_fields, document_value="not printed; 261 (architecture)"),
    Claim("M03_regressor_relu_layers", "002", "Chapter I, Activation Functions", "368-376",
          "dense_56 (Dense) (None, 10) 140 ... re_lu_18 (ReLU) (None, 10) 0 ... Non-trainable params: 0",
          EXACT + " The printed summary's layer types, output shapes and trainable split (E01 "
          "checks its counts).",
          counted("doc002_regressor_relu_layers", names=["Dense", "ReLU", "Dense", "ReLU", "Dense"],
                  shapes=[(None, 10)] * 4 + [(None, 1)], trainable=261, non_trainable=0),
          port=INPUT,
          measure=summary_fields, document_value="Dense/ReLU/Dense/ReLU/Dense; (None, 10) x4, (None, 1); 261 / 0"),
    Claim("M05_binary_classifier_shorthand", "002", "Chapter I, DNN Binary Classifier", "465-477",
          "model.add(Dense(1, activation='sigmoid'))",
          NOT_PRINTED + "the regressor's 261 with a sigmoid output (no parameters).",
          counted("doc002_dnn", {"activation": "relu", "output_activation": "sigmoid"},
                  layers=[140, 110, 11], shapes=[(None, 10), (None, 10), (None, 1)], total=261),
          port=INPUT, measure=summary_fields, document_value="not printed; 261 (architecture)"),
    Claim("M05_binary_classifier_activation_layers", "002", "Chapter I, DNN Binary Classifier", "487-506",
          "model.add(Activation('relu')) ... model.add(Activation('sigmoid'))",
          NOT_PRINTED + "6 layers, the Activation layers without parameters.",
          counted("doc002_dnn", {"activation": "relu", "output_activation": "sigmoid", "activation_layers": True},
                  layers=[140, 0, 110, 0, 11, 0], total=261),
          port=INPUT, measure=summary_fields, document_value="not printed; 261 (architecture)"),
    Claim("M05_binary_classifier_functional", "002", "Chapter I, DNN Binary Classifier", "520-546",
          "output = Activation('sigmoid')(x) ... model = Model(inputs, output)",
          NOT_PRINTED + "as the Activation-layer form, after the InputLayer.",
          counted("doc002_dnn", {"activation": "relu", "output_activation": "sigmoid", "activation_layers": True,
                                 "functional": True}, layers=[0, 140, 0, 110, 0, 11, 0], total=261),
          measure=summary_fields, document_value="not printed; 261 (architecture)"),
    Claim("M06_multiclass", "002", "Chapter I, DNN Multi-Class Classifier", "573-585",
          "model.add(Dense(10, input_shape=(4,), activation='relu')) ... model.add(Dense(5, activation='softmax'))",
          NOT_PRINTED + "4*10+10, 10*10+10, 10*5+5.",
          counted("doc002_dnn", {"n_inputs": 4, "n_outputs": 5, "activation": "relu", "output_activation": "softmax"},
                  layers=[50, 110, 55], shapes=[(None, 10), (None, 10), (None, 5)], total=215),
          port=INPUT, measure=summary_fields, document_value="not printed; 215 (architecture)"),
    Claim("M07_multilabel_single_task", "002", "Chapter I, DNN Multi-Label Multi-Class Classifier", "601-614",
          "model.add(Dense(10, input_shape=(3,), activation='relu')) ... model.add(Dense(7, activation='sigmoid'))",
          NOT_PRINTED + "3*10+10, 10*10+10, 10*7+7.",
          counted("doc002_dnn", {"n_inputs": 3, "n_outputs": 7, "activation": "relu", "output_activation": "sigmoid"},
                  layers=[40, 110, 77], shapes=[(None, 10), (None, 10), (None, 7)], total=227),
          port=INPUT, measure=summary_fields, document_value="not printed; 227 (architecture)"),
    Claim("M08_multitask_two_heads", "002", "Chapter I, DNN Multi-Label Multi-Class Classifier", "636-652",
          "output1 = Dense(5, activation='softmax')(x) output2 = Dense(2, activation='softmax')(x)",
          NOT_PRINTED + "3*10+10, 10*10+10, heads 10*5+5 and 10*2+2.",
          counted("doc002_multitask", layers=[0, 40, 110, 55, 22], total=227,
                  shapes=[(None, 3), (None, 10), (None, 10), (None, 5), (None, 2)]),
          measure=summary_fields, document_value="not printed; 227 (architecture)"),
    Claim("M09_mnist_mlp_printed_summary", "002", "Chapter I, Simple Image Classifier", "682-699, 710-720",
          "flatten_1 (Flatten) (None, 784) 0 ... re_lu_20 (ReLU) (None, 512) 0 ... activation_10 (Activation)",
          EXACT + " The code (L682-699) against every row of the summary printed below it: the "
          "printed summary has 7 rows, with separate ReLU and Activation layers, while the code "
          "puts the activations inside Dense (4 layers by hand: 0, 401,920, 262,656, 5,130). "
          "The totals are compared in E09.",
          counted("doc002_mnist_mlp", names=["Flatten", "Dense", "ReLU", "Dense", "ReLU", "Dense", "Activation"],
                  layers=[0, 401920, 0, 262656, 0, 5130, 0],
                  shapes=[(None, 784)] + [(None, 512)] * 4 + [(None, 10)] * 2),
          port=INPUT,
          measure=summary_fields, document_value="7 rows: 0 / 401,920 / 0 / 262,656 / 0 / 5,130 / 0"),
    Claim("M10_mnist_mlp_dropout", "002", "Chapter I, Overfitting and Dropout", "750-769",
          "model.add(Dense(512)) # Add dropout of 50% at the input layer. model.add(Dropout(0.5)) model.add(ReLU())",
          NOT_PRINTED + "M09's counts, Dropout/ReLU/Activation layers without parameters.",
          counted("doc002_mnist_mlp_dropout", layers=[0, 401920, 0, 0, 262656, 0, 0, 5130, 0], total=669706),
          port=INPUT + " `from keras import` kept (Keras 3).",
          measure=summary_fields, document_value="not printed; 669,706 (architecture)"),
    Claim("M11_basic_cnn_shorthand", "002", "Chapter II, Basic CNN", "938-962",
          "model.add(Conv2D(16, kernel_size=(3, 3), strides=(2, 2), padding=\"same\", activation='relu', ...",
          EXACT + " The second form must have the printed summary's (L907-918) shapes and counts "
          "without its activation rows.",
          counted("doc002_basic_cnn_shorthand", layers=[160, 0, 0, 8389120, 13338], total=8402618,
                  shapes=[(None, 64, 64, 16), (None, 32, 32, 16), (None, 16384), (None, 512), (None, 26)]),
          port=INPUT,
          measure=summary_fields, document_value="160 / 8,389,120 / 13,338, total 8,402,618 (as printed for the long form)"),
    Claim("M11_basic_cnn_functional", "002", "Chapter II, Basic CNN", "976-985",
          "inputs = Input(shape=(128, 128, 1)) layer = Conv2D(16, kernel_size=(3, 3), strides=(2, 2) ...",
          EXACT + " The third (Functional) form: as the second, after the InputLayer.",
          counted("doc002_basic_cnn_shorthand", {"functional": True}, layers=[0, 160, 0, 0, 8389120, 13338],
                  total=8402618, shapes=[(None, 128, 128, 1), (None, 64, 64, 16), (None, 32, 32, 16),
                                         (None, 16384), (None, 512), (None, 26)]),
          measure=summary_fields, document_value="160 / 8,389,120 / 13,338, total 8,402,618 (as printed for the long form)"),
    Claim("M12_vgg16_seq", "002", "Chapter II, VGG Networks", "1004-1052",
          "model.add(Conv2D(64, (3, 3), strides=(1, 1), padding=\"same\", activation=\"relu\", input_shape=(224, 224, 3)))",
          NOT_PRINTED + "3x3 convs 3*9*64+64 ... 512*9*512+512, Dense 7*7*512*4096+4096, "
          "4096*4096+4096, 4096*1000+1000 (E22 checks the text's '138 million').",
          counted("doc002_vgg16", tier="full", total=138357544,
                  layers=[1792, 36928, 0, 73856, 147584, 0, 295168, 590080, 590080, 0, 1180160, 2359808,
                          2359808, 0, 2359808, 2359808, 2359808, 0, 0, 102764544, 16781312, 4097000]),
          port=INPUT, measure=summary_fields, document_value="not printed; 138,357,544 (architecture)"),
    Claim("M13_vgg16_reuse", "002", "Chapter II, VGG Networks", "1060-1095",
          "conv_block(1, 64) conv_block(2, 128) conv_block(3, 256) conv_block(3, 512) conv_block(3, 512)",
          NOT_PRINTED + "the same as M12 (E23 compares the two summaries).",
          counted("doc002_vgg16", {"reuse": True}, tier="full", total=138357544,
                  layers=[1792, 36928, 0, 73856, 147584, 0, 295168, 590080, 590080, 0, 1180160, 2359808,
                          2359808, 0, 2359808, 2359808, 2359808, 0, 0, 102764544, 16781312, 4097000]),
          port=INPUT, measure=summary_fields, document_value="not printed; 138,357,544 (architecture)"),
    Claim("M14_resnet34_like", "002", "Chapter II, ResNet Networks", "1145-1223",
          "x = conv_block(128, x) ... for _ in range(5): x = residual_block(256, x)",
          NOT_PRINTED + "7*7*3*64+64; 3x3 convs (c_in*9+1)*c_out in 2+3+5+2 residual blocks and "
          "three conv_blocks; 512*1000+1000 (E26 checks the text's '21 million').",
          counted("doc002_resnet34", total=21542376, non_trainable=0),
          port="Body of residual_block indented (L1154-1164) so that it parses (as printed: "
               "M14_resnet34_like_as_written).",
               measure=summary_fields, document_value="not printed; 21,542,376 (architecture)"),
    Claim("M15_residual_snippet", "002", "Chapter II, ResNet Networks", "1121-1127",
          "shortcut = x x = layers.Conv2D(64, kernel_size=(3, 3), strides=(1, 1), padding='same')(x)",
          NOT_PRINTED + "two 64*9*64+64 convs on a 64-channel input.",
          counted("doc002_block", {"kind": "residual_snippet", "n_filters": 64, "input_shape": (56, 56, 64)},
                  layers=[0, 36928, 0, 36928, 0, 0], total=73856),
          port="The snippet's x is a keras.Input((56, 56, 64)), the maps of the first group.",
          measure=summary_fields, document_value="not printed; 73,856 (architecture)"),
    Claim("M15_bottleneck_block", "002", "Chapter II, ResNet Networks", "1243-1261",
          "x = layers.Conv2D(n_filters * 4, (1, 1), strides=(1, 1), padding=\"same\", activation=\"relu\")(x)",
          NOT_PRINTED + "at n_filters=64 on 256 channels: 256*64+64, 64*9*64+64, 64*256+256.",
          counted("doc002_block", {"kind": "bottleneck", "n_filters": 64, "input_shape": (56, 56, 256)},
                  layers=[0, 16448, 36928, 16640, 0], total=70016),
          port="Indentation of the last two lines restored (L1260-1261; as printed: "
               "M15_bottleneck_block_as_written); x is a keras.Input((56, 56, 256)).",
          measure=summary_fields, document_value="not printed; 70,016 (architecture)"),
    Claim("M17_resnet50_v1", "002", "Chapter II, ResNet50", "1317-1437",
          "x = projection_block(64, x, strides=(1,1)) ... x = identity_block(512, x)",
          NOT_PRINTED + "the ResNet50 of keras.applications (25,636,712); BN moving means and "
          "variances, 2 x 26,560, are non-trainable (E31 checks the text's '25 million').",
          counted("doc002_resnet50", tier="full", total=25636712, trainable=25583592, non_trainable=53120),
          port=PORT_RESNET50 + " As printed: M17_resnet50_v1_as_written, E32.",
          measure=summary_fields, document_value="not printed; 25,636,712 (architecture)"),
    Claim("M18_resnet50_v15", "002", "Chapter II, ResNet50", "1444-1482",
          "The feature pooling (strides=2) ... is moved from the first 1x1 convolution to the 3x3 convolution",
          NOT_PRINTED + "moving a stride changes no count: as M17.",
          counted("doc002_resnet50", {"version": "v1.5"}, tier="full", total=25636712, trainable=25583592,
                  non_trainable=53120),
          port=PORT_RESNET50 + " The 3x3 takes the block's `strides` (L1465 hard-codes (2, 2); as printed: "
               "M18_resnet50_v15_as_written, E35).",
               measure=summary_fields, document_value="not printed; 25,636,712 (architecture)"),
    Claim("M19_resnet50_v2_identity_block", "002", "Chapter II, ResNet50", "1487-1511",
          "x = layers.BatchNormalization()(x) x = layers.ReLU()(x) x = layers.Conv2D(n_filters, (1, 1), strides=(1, 1))(x)",
          NOT_PRINTED + "pre-activation order BN, ReLU, Conv three times, at n_filters=64 on 256 "
          "channels: BN 4*256, 256*64+64, BN 4*64, 64*9*64+64, BN 4*64, 64*256+256; moving "
          "statistics 2*(256+64+64) non-trainable.",
          counted("doc002_block", {"kind": "v2_identity", "n_filters": 64, "input_shape": (56, 56, 256)},
                  names=["InputLayer"] + ["BatchNormalization", "ReLU", "Conv2D"] * 3 + ["Add"],
                  layers=[0, 1024, 0, 16448, 256, 0, 36928, 256, 0, 16640, 0], total=71552, non_trainable=768),
          port="x is a keras.Input((56, 56, 256)).",
          measure=summary_fields, document_value="not printed; 71,552 (architecture)"),
    Claim("M20_cifar_simple_cnn", "002", "Chapter III, Validation & Overfitting", "1774-1780",
          "model.add(Conv2D(32, (3, 3), activation='relu', input_shape=(32, 32, 3))) model.add(MaxPooling2D((2, 2)))",
          NOT_PRINTED + "3*9*32+32, and 15*15*32 = 7,200 flattened x 10 + 10.",
          counted("doc002_cifar_simple_cnn", layers=[896, 0, 0, 72010], total=72906,
                  shapes=[(None, 30, 30, 32), (None, 15, 15, 32), (None, 7200), (None, 10)]),
          port=INPUT + " Flatten(input_shape=(28, 28)) is not the first layer, so its input_shape has no "
               "effect; the builder writes Flatten().",
               measure=summary_fields, document_value="not printed; 72,906 (architecture)"),
    Claim("M21_cifar_simple_cnn_dropout", "002", "Chapter III, Validation & Overfitting", "1821-1828",
          "model.add(Dropout(0.5)) model.add(Dense(10, activation='softmax'))",
          NOT_PRINTED + "M20's, Dropout without parameters.",
          counted("doc002_cifar_simple_cnn", {"dropout": 0.5}, layers=[896, 0, 0, 0, 72010], total=72906),
          port=INPUT + " Flatten(input_shape=(28, 28)) written Flatten() (no effect).",
          measure=summary_fields, document_value="not printed; 72,906 (architecture)"),
    Claim("M22_deep_dnn_42", "002", "Chapter III, Going Deeper with Layers", "1863-1869",
          "model.add(Dense(64, activation='relu', input_shape=(28, 28))) for _ in range(40):",
          NOT_PRINTED + "as written, without Flatten: every Dense acts on the last axis of (28, 28), "
          "28*64+64, 40 x (64*64+64), 64*10+10, and the output is (None, 28, 10) (the fit then "
          "fails: E48_deep_dnn_is_40_layers_as_written).",
          counted("doc002_deep_dnn", layers=[1856] + [4160] * 40 + [650], total=168906,
                  shapes=[(None, 28, 64)] * 41 + [(None, 28, 10)]),
          port=INPUT,
          measure=summary_fields, document_value="not printed; 168,906, output (None, 28, 10) (architecture)"),
    Claim("M22_deep_dnn_42_flatten", "002", "Chapter III, Going Deeper with Layers", "1863-1869",
          "model.add(Dense(64, activation='relu', input_shape=(28, 28)))",
          NOT_PRINTED + "with the Flatten a 28x28 classifier needs: 784*64+64, 40 x (64*64+64), 64*10+10.",
          counted("doc002_deep_dnn", {"flatten": True}, layers=[0, 50240] + [4160] * 40 + [650], total=217290),
          port=INPUT + " Flatten() added before the first Dense.",
          measure=summary_fields, document_value="not printed; 217,290 (ported)"),
    Claim("M23_convergence_cnn", "002", "Chapter III, Convergence", "1946-1960",
          "model.add(Conv2D(64, (3, 3), activation='relu')) model.add(MaxPooling2D(pool_size=(2, 2)))",
          NOT_PRINTED + "3*9*32+32, 32*9*64+64, 14*14*64 = 12,544 flattened x 128 + 128, 128*10+10.",
          counted("doc002_convergence_cnn", layers=[896, 18496, 0, 0, 1605760, 1290], total=1626442,
                  shapes=[(None, 30, 30, 32), (None, 28, 28, 64), (None, 14, 14, 64), (None, 12544),
                          (None, 128), (None, 10)]),
          port=INPUT + " (height, width) = x_train.shape[1:3] = (32, 32) written out.",
          measure=summary_fields, document_value="not printed; 1,626,442 (architecture)"),
]

ANALYTIC = [
    Claim("M16_bn_example", "002", "Chapter II, Batch Normalization", "1280-1300",
          "model.add(Conv2D(64, (3, 3), strides=(1, 1), padding='same', input_shape=(128, 128, 3))) ... "
          "model.add(Flatten()) model.add(Dense(4096))",
          NOT_PRINTED + "3*9*64+64; BN 4*64; 128*128*64 = 1,048,576 flattened x 4096 + 4096; BN "
          "4*4096; moving statistics 2*(64+4096) non-trainable: 4,294,989,824 parameters, 17.2 GB in "
          "float32. Counted, never built (see analytic_counts).",
          {"fast": Tier(Exact({"layers": [1792, 256, 0, 0, 4294971392, 0, 16384], "total": 4294989824,
                               "non_trainable": 8320}),
                        config={"builder": "doc002_bn_example", "input_shape": (128, 128, 3),
                                "small_input_shape": (2, 2, 3)})},
          port=INPUT, measure=analytic_counts, document_value="not printed; 4,294,989,824 (architecture)"),
]

ORDER_OF_MAGNITUDE = [
    Claim("order_10k_weights", "000", "7. Lab: special care for deep networks", "389",
          "In very high dimensional spaces like here - we have in the order of 10K weights and biases",
          "'In the order of 10K' is read as the same order of magnitude as 10^4: the count of weights "
          "and biases of the network 'here' (the five-layer 784-200-100-60-30-10 ReLU network of the "
          "solution printed just above, L369-385) must lie within a factor of sqrt(10) of 10,000, i.e. in [10^3.5, 10^4.5] "
          "= [3,162, 31,623], the counts whose base-10 logarithm rounds to 4. An exact count, read back "
          "from the Keras model (models.doc000_five_layer); by hand it is 784*200+200 + 200*100+100 + "
          "100*60+60 + 60*30+30 + 30*10+10 = 185,300 (five_layer_param_count checks the layers).",
          {"fast": Tier(Between(10 ** 3.5, 10 ** 4.5),
                        config={"builder": "doc000_five_layer", "kwargs": {"activation": "relu"}})},
          measure=total_parameters,
          port="The tf.keras.models.Sequential of L369-385 is models.doc000_five_layer('relu') (keras.Input "
               "instead of Flatten(input_shape=), 'relu'/'softmax' names for tf.nn.*).",
          document_value="in the order of 10K"),
]
CLAIMS = COUNTED + ANALYTIC + ORDER_OF_MAGNITUDE


test_claims = claim_test(CLAIMS)
