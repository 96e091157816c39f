"""The MAC counter of harness/kit/models.py against counts done by hand."""
import keras
from keras import layers

from harness.kit import models


def test_macs_counts_dense_and_conv_layers_by_hand():
    model = keras.Sequential([
        keras.Input((8, 8, 3)),
        layers.Conv2D(4, (3, 3), padding="same"),             # 8*8 positions x 3*3*3*4 = 6,912
        layers.Conv2D(6, (3, 3), strides=2, padding="same"),  # 4*4 positions x 3*3*4*6 = 3,456
        layers.BatchNormalization(), layers.MaxPooling2D(),   # not counted
        layers.Flatten(),                                     # 2*2*6 = 24 features
        layers.Dense(5),                                      # 24*5 = 120
    ])
    assert models.macs(model) == 6912 + 3456 + 120


def test_macs_of_a_dense_layer_on_a_sequence_counts_every_position():
    model = keras.Sequential([keras.Input((7, 10)), layers.Dense(2)])
    assert models.macs(model) == 7 * 10 * 2
