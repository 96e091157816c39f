"""Learning-rate schedules of 001 §4, evaluated through keras.optimizers.schedules,
and the schedule's state surviving a save/load round trip.

The document's schedules are Python functions of the epoch (for a
LearningRateScheduler callback) or TF 2.0 optimizer options; each is ported to
the Keras 3 schedule object that computes the same thing per step, and that
object is evaluated at the listed steps. Expected values are the document's own
formulas: power lr0/(1 + step/s), exponential lr0*0.1**(step/s), piecewise
0.01 / 0.005 / 0.001.
"""
import keras
import numpy as np
import pytest

from harness.engine.claim import Claim, Close, Exact, Measured, Tier, claim_test

pytestmark = pytest.mark.exact_numerics("learning rates are compared with the schedules' formulas")

SECTION = "4. Learning Rate Scheduling"
FLOAT32 = "Schedules compute in float32: rtol 1e-6 (a few float32 ulps)."
S_EPOCHS = 20 * 55000 // 32  # L574: "number of steps in 20 epochs (batch size = 32)", 55,000 training images


def schedule_values(case):
    """The schedule named in the config, evaluated at the config's steps."""
    c = case.config
    schedule = getattr(keras.optimizers.schedules, c["schedule"])(**c["kwargs"])
    value = [float(schedule(step)) for step in c["steps"]]
    return Measured(value, details={"steps": c["steps"], "schedule": schedule.get_config()})


def schedule_saved(case, tmp_path):
    """7 SGD steps with an ExponentialDecay schedule, save as .keras, load, compare the optimizers."""
    c = case.config
    seed = case.seed
    keras.utils.set_random_seed(seed)
    x = np.random.default_rng(seed).normal(size=(c["n"], c["features"])).astype("float32")
    model = keras.Sequential([keras.Input((c["features"],)), keras.layers.Dense(1)])
    schedule = keras.optimizers.schedules.ExponentialDecay(0.01, 10, 0.1)
    model.compile(keras.optimizers.SGD(schedule), "mse")
    model.fit(x, x[:, :1], batch_size=c["batch_size"], epochs=1, verbose=0)
    model.save(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras")
    before, after = model.optimizer, loaded.optimizer
    value = {"iterations": int(after.iterations.numpy()),
             "schedule": type(after._learning_rate).__name__,
             "same_config": after._learning_rate.get_config() == before._learning_rate.get_config(),
             "same_current_lr": float(keras.ops.convert_to_numpy(after.learning_rate))
             == float(keras.ops.convert_to_numpy(before.learning_rate))}
    return Measured(value, details={"current_lr": float(keras.ops.convert_to_numpy(after.learning_rate)),
                                    "config": after._learning_rate.get_config()})


SCHEDULES = [
    Claim("lr_schedule_formulas_power", "001", SECTION, "525-529",
          "Power scheduling in Keras (assumes c=1) with decay=1/s, (s is the number of steps it takes to "
          "divide the learning rate by one more unit) ... SGD(lr=0.01, decay=1e-4)",
          "lr0/(1 + t/s) with lr0 0.01 and s = 1/decay = 10,000: steps 0, 1, 10,000, 20,000 give 0.01, "
          "0.01/1.0001, 0.01/2 and 0.01/3. " + FLOAT32,
          {"fast": Tier(Close([0.01, 0.01 / 1.0001, 0.005, 0.01 / 3], rtol=1e-6),
                        config={"schedule": "InverseTimeDecay",
                                "kwargs": {"initial_learning_rate": 0.01, "decay_steps": 1, "decay_rate": 1e-4},
                                "steps": [0, 1, 10000, 20000]})},
          measure=schedule_values,
          port="SGD(lr=0.01, decay=1e-4) -> SGD(learning_rate=InverseTimeDecay(0.01, decay_steps=1, "
               "decay_rate=1e-4)); Keras 3 optimizers have no decay=.",
          document_value="lr0/(1+t/s), s = 10,000"),
    Claim("lr_schedule_formulas_exponential", "001", SECTION, "533-540",
          "return 0.01 * 0.1**(epoch / 20)",
          "The document's exponential_decay_fn, 0.01*0.1**(epoch/20), at epochs 0, 1, 10, 20, 40: "
          "0.01, 0.01*0.1**0.05, 0.01*0.1**0.5, 0.001, 0.0001. " + FLOAT32,
          {"fast": Tier(Close([0.01, 0.01 * 0.1 ** 0.05, 0.01 * 0.1 ** 0.5, 0.001, 0.0001], rtol=1e-6),
                        config={"schedule": "ExponentialDecay",
                                "kwargs": {"initial_learning_rate": 0.01, "decay_steps": 20, "decay_rate": 0.1},
                                "steps": [0, 1, 10, 20, 40]})},
          measure=schedule_values,
          port="The epoch function run as keras.optimizers.schedules.ExponentialDecay(0.01, 20, 0.1) "
               "with one step per epoch (what LearningRateScheduler would set each epoch).",
          document_value="0.01 * 0.1**(epoch/20)"),
    Claim("lr_schedule_formulas_piecewise", "001", SECTION, "548-554",
          "if epoch < 5: return 0.01 elif epoch < 15: return 0.005 else: return 0.001",
          "The document's piecewise_constant_fn at epochs 0, 4, 5, 14, 15, 30: "
          "0.01, 0.01, 0.005, 0.005, 0.001, 0.001. " + FLOAT32,
          {"fast": Tier(Close([0.01, 0.01, 0.005, 0.005, 0.001, 0.001], rtol=1e-6),
                        config={"schedule": "PiecewiseConstantDecay",
                                "kwargs": {"boundaries": [4, 14], "values": [0.01, 0.005, 0.001]},
                                "steps": [0, 4, 5, 14, 15, 30]})},
          measure=schedule_values,
          port="PiecewiseConstantDecay uses step <= boundary, so the document's `epoch < 5` / `epoch < 15` "
               "become boundaries [4, 14] for integer epochs.",
          document_value="0.01 / 0.005 / 0.001, switching at epochs 5 and 15"),
    Claim("lr_schedule_formulas_exponential_per_step", "001", SECTION, "571-577",
          "learning_rate = keras.optimizers.schedules.ExponentialDecay(0.01, s, 0.1) ... This approach "
          "updates the learning rate at each step rather than at each epoch.",
          "With s = 20*55000//32 = 34,375 steps: the rate at step 1 is already below 0.01 "
          "(0.01*0.1**(1/s)), half-way it is 0.01*0.1**0.5, at s it is 0.001. " + FLOAT32,
          {"fast": Tier(Close([0.01, 0.01 * 0.1 ** (1 / S_EPOCHS), 0.01 * 0.1 ** 0.5, 0.001], rtol=1e-6),
                        config={"schedule": "ExponentialDecay",
                                "kwargs": {"initial_learning_rate": 0.01, "decay_steps": S_EPOCHS,
                                           "decay_rate": 0.1},
                                "steps": [0, 1, S_EPOCHS // 2 + 0.5, S_EPOCHS]})},
          measure=schedule_values, document_value="ExponentialDecay(0.01, s, 0.1), s = 34,375"),
    Claim("control_piecewise_published_example", "001", SECTION, "548-554",
          "use a learning rate that's 1.0 for the first 100001 steps, 0.5 for the next 10000 steps, and 0.1 "
          "for any additional steps: boundaries = [100000, 110000], values = [1.0, 0.5, 0.1] (Keras' "
          "PiecewiseConstantDecay docstring)",
          "The published example at the edges of its three pieces: steps 0 and 100,000 (the last of the "
          "first 100,001), 100,001 and 110,000, then 110,001. " + FLOAT32,
          {"fast": Tier(Close([1.0, 1.0, 0.5, 0.5, 0.1], rtol=1e-6),
                        config={"schedule": "PiecewiseConstantDecay",
                                "kwargs": {"boundaries": [100000, 110000], "values": [1.0, 0.5, 0.1]},
                                "steps": [0, 100000, 100001, 110000, 110001]})},
          measure=schedule_values,
          control="keras-team/keras, keras/src/optimizers/schedules/learning_rate_schedule.py (Keras 3.15.1), "
                  "PiecewiseConstantDecay docstring: 1.0 for the first 100001 steps, 0.5 for the next 10000, "
                  "0.1 after"),
]
STATE = [
    Claim("schedule_state_saved", "001", SECTION, "579",
          "when you save the model, the learning rate and its schedule (including its state) get saved as well",
          "After 7 training steps a model saved as .keras and loaded back must have: the optimizer's "
          "iteration count 7, the same schedule class and config, and the same current learning rate "
          "(exact float32 equality: nothing is recomputed differently).",
          {"fast": Tier(Exact({"iterations": 7, "schedule": "ExponentialDecay", "same_config": True,
                               "same_current_lr": True}),
                        config={"n": 56, "batch_size": 8, "features": 4})},
          measure=schedule_saved,
          port="Saved in the Keras 3 native format (.keras) instead of .h5."),
]
CLAIMS = SCHEDULES + STATE


test_claims = claim_test(CLAIMS)
