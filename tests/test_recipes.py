"""Each recipe trains: a real run of the library's Trainer reaches the recipe's accuracy bar."""

import pytest

from torchcircuits.recipes import RECIPES, recipe_config, recipe_for, recipe_summary
from torchcircuits.run import DataSpec
from torchcircuits.trainer import TrainConfig, Trainer

TRAINED = [key for key, recipe in RECIPES.items() if recipe.bar > 0]


@pytest.mark.parametrize("dataset, model", TRAINED)
def test_each_recipe_reaches_its_bar(dataset, model):
    recipe = RECIPES[(dataset, model)]
    train, test = DataSpec(dataset).load()
    trainer = Trainer(recipe_config(dataset, model), train, test)
    trainer.run(recipe.steps, recipe.steps)
    assert trainer.accuracy(train) >= recipe.bar


def test_the_library_defaults_do_not_train_the_spiral_and_the_recipe_does():
    # the reason recipes exist: the guide's 3-neuron, one-example defaults stay near chance on the spiral
    train, _ = DataSpec("spiral").load()
    default = Trainer(TrainConfig(model="net"), train)
    default.run(300, 300)
    assert default.accuracy(train) < 0.7
    config = recipe_config("spiral", "net")
    assert (config.hidden, config.lr, config.batch) == ((100,), 1.0, None)


def test_a_recipe_restores_the_defaults_a_preset_overrode():
    preset_like = TrainConfig(model="svm", reg=0.5, init="guide", seed=3, backend="torch")
    config = recipe_config("moons", "net", keep=preset_like)
    assert config.reg == 1e-3 and config.init is None  # the guide's spring and start are gone
    assert config.seed == 3 and config.backend == "torch"  # the user's own choices stay


def test_linear_models_on_sets_no_line_separates_say_so():
    assert "no straight line separates circle" in recipe_for("circle", "svm").note
    assert recipe_for("data/mine.csv", "net") == RECIPES[("moons", "net")]
    assert recipe_summary("spiral", "net") == "hidden layers 100, step size 1, batch all, regularization 0.001"
