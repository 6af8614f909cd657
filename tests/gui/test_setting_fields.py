"""The Chapter 3 controls: each one changes the trainer's config, and a bad value is refused with the library's
own message in place, the setting left as it was."""

from dataclasses import replace

import pytest

from torchcircuits.config import TEXT_PARSERS
from torchcircuits.errors import InputError
from torchcircuits.models import MAX_DEPTH
from torchcircuits_gui.help import in_app_words
from torchcircuits_gui.setting_fields import CHOICE_SETTINGS, FIELD_SETTINGS, option_help


@pytest.fixture
def net_window(window):
    window.controller.choose(dataset="spiral", model="net")
    assert window.controller.settings.config.model == "net" and window.controller.test  # a test set: early stop
    return window


def _type(window, setting, text):
    field = window.controls.more.fields[setting]
    field.setText(text)
    field.editingFinished.emit()


def _library_message(config, **changes):
    """What TrainConfig.validated says about these changes (the CLI's words)."""
    with pytest.raises(InputError) as refused:
        replace(config, **changes).validated()
    return refused.value.as_flag()


# setting, the optimizer it needs, a good text, the value it gives, a bad text
CASES = [
    ("schedule", "sgd", "step:50:0.5", "step:50:0.5", "wobble"),
    ("dropout", "sgd", "0.3", 0.3, "1.5"),
    ("max_norm", "sgd", "3", 3.0, "-1"),
    ("early_stop", "sgd", "5", 5, "0"),
    ("betas", "adam", "0.8,0.99", (0.8, 0.99), "0.9,1.5"),
    ("eps", "adam", "1e-6", 1e-6, "-1"),
    ("alpha", "rmsprop", "0.9", 0.9, "1.5"),
]


@pytest.mark.parametrize(("setting", "optimizer", "good", "value", "bad"), CASES)
def test_a_field_sets_the_trainers_config_and_refuses_a_bad_value_in_place(net_window, setting, optimizer, good,
                                                                          value, bad):
    c = net_window.controller
    c.apply_config(replace(c.settings.config, optimizer=optimizer, momentum=0.0))
    _type(net_window, setting, good)
    assert getattr(c.settings.config, setting) == value
    assert getattr(c.trainer.config, setting) == value  # the trainer trains with it, not just the panel
    before, shown = c.settings.config, net_window.controls.more.fields[setting].text()
    try:  # the text parses but is out of range, or does not parse at all: either way the library's words
        expected = _library_message(before, **{setting: TEXT_PARSERS[setting](bad)})
    except InputError as error:
        expected = error.as_flag()
    _type(net_window, setting, bad)
    more = net_window.controls.more
    assert c.settings.config == before and c.trainer.config == before
    # the library's words, the flag named as the field is labelled
    assert more.message.text() == in_app_words(expected) and expected.startswith(f"--{setting.replace('_', '-')} ")
    assert more.message.isVisibleTo(more) and "border" in more.fields[setting].styleSheet()
    assert more.fields[setting].text() == shown  # the setting in force again, not the refused text
    _type(net_window, setting, good)  # the next valid edit clears the mark
    assert not more.message.isVisibleTo(more) and more.fields[setting].styleSheet() == ""


def test_a_refused_field_shows_the_setting_in_force_again(net_window):
    _type(net_window, "dropout", "0.25")
    _type(net_window, "dropout", "2")
    assert net_window.controls.more.fields["dropout"].text() == "0.25"
    assert net_window.controller.settings.config.dropout == 0.25


def test_optimizer_choice_resets_the_old_optimizers_own_settings(net_window):
    c, more = net_window.controller, net_window.controls.more
    c.apply_config(replace(c.settings.config, momentum=0.9, nesterov=True))
    more.choices["optimizer"].setCurrentText("adam")
    more.choices["optimizer"].activated.emit(0)
    assert c.trainer.config.optimizer == "adam" and c.settings.config.momentum == 0.0
    assert not c.settings.config.nesterov
    assert more.fields["betas"].isEnabled() and not more.fields["alpha"].isEnabled()
    assert not more.nesterov.isEnabled() and "Disabled" in more.nesterov.toolTip()


def test_lbfgs_with_one_example_per_step_is_refused_as_on_the_command_line(window):
    c, more = window.controller, window.controls.more
    before = c.settings.config
    assert before.batch == 1
    more.choices["optimizer"].setCurrentText("lbfgs")
    more.choices["optimizer"].activated.emit(0)
    assert c.settings.config == before and more.choices["optimizer"].currentText() == "sgd"
    assert more.message.text() == in_app_words(_library_message(before, optimizer="lbfgs"))
    assert "batch must be 'all' for the lbfgs optimizer" in more.message.text()


def test_nesterov_needs_momentum_and_takes_it_with_momentum(net_window):
    c, more = net_window.controller, net_window.controls.more
    more.nesterov.setChecked(True)
    assert not c.settings.config.nesterov and not more.nesterov.isChecked()
    assert more.message.text() == "nesterov needs the sgd optimizer with momentum > 0"
    c.apply_config(replace(c.settings.config, momentum=0.9))
    more.nesterov.setChecked(True)
    assert c.trainer.config.nesterov and c.trainer.config.momentum == 0.9


def test_l1_ratio_applies_to_elastic_only_as_on_the_command_line(net_window):
    c = net_window.controller
    assert c.settings.config.reg_kind == "l2" and not net_window.controls.more.fields["l1_ratio"].isEnabled()
    _type(net_window, "l1_ratio", "0.7")
    assert c.settings.config.l1_ratio == 0.5
    message = net_window.controls.more.message.text()
    assert message == "l1-ratio applies to reg kind elastic only; the reg kind is l2"
    c.apply_config(replace(c.settings.config, reg_kind="elastic"))
    _type(net_window, "l1_ratio", "0.7")
    assert c.trainer.config.l1_ratio == 0.7


@pytest.mark.parametrize(("setting", "choice"), [("class_weight", "balanced"), ("bias_init", "zero")])
def test_a_choice_sets_the_trainers_config(net_window, setting, choice):
    combo = net_window.controls.more.choices[setting]
    assert combo.count() == len(CHOICE_SETTINGS[setting])
    combo.setCurrentText(choice)
    combo.activated.emit(combo.currentIndex())
    assert getattr(net_window.controller.settings.config, setting) == choice


def test_feature_boxes_choose_the_input_features(net_window):
    c, boxes = net_window.controller, net_window.controls.more.features
    for name in ("x1", "x2", "x1x2"):
        boxes[name].setChecked(True)
    assert c.settings.config.features == ("x1", "x2", "x1x2")
    assert c.trainer.spec.inputs == 3  # the model was rebuilt on three input columns
    for name in ("x1", "x2", "x1x2"):
        boxes[name].setChecked(False)
    assert c.settings.config.features is None and c.trainer.spec.inputs == 2


def test_imbalance_subsamples_the_data_and_refuses_zero(window):
    c = window.controller
    c.choose(dataset="blobs", model="net")
    n = len(c.train) + len(c.test)
    _type(window, "imbalance", "0.2")
    assert c.settings.data.imbalance == 0.2 and len(c.train) + len(c.test) < n
    _type(window, "imbalance", "0")
    assert c.settings.data.imbalance == 0.2
    assert window.controls.more.message.text().startswith("imbalance must be above 0 and at most 1")


def test_every_new_control_has_the_options_help_as_its_tooltip(net_window):
    more, helps = net_window.controls.more, option_help()
    for setting in (*FIELD_SETTINGS, *CHOICE_SETTINGS, "imbalance"):
        widget = more.fields.get(setting) or more.choices[setting]
        assert widget.toolTip().startswith(f"--{setting.replace('_', '-')}: {helps[setting]}")
    assert all(box.toolTip().startswith("--features") for box in more.features.values())
    layers = net_window.controls.layers
    assert layers.add_layer.toolTip() and all(button.toolTip() for row in layers.rows for button in row[1:])


def test_hidden_layers_grow_and_shrink_by_neuron_and_by_layer(net_window):
    c, layers = net_window.controller, net_window.controls.layers
    start = c.settings.config.hidden
    layers.rows[0][2].click()  # + a neuron
    assert c.trainer.spec.hidden == (start[0] + 1,)
    layers.add_layer.click()
    assert c.trainer.spec.hidden == (start[0] + 1, start[0] + 1) and len(layers.rows) == 2
    layers.rows[1][1].click()  # − a neuron in layer 2
    assert c.settings.config.hidden == (start[0] + 1, start[0])
    assert net_window.controls.hidden.text() == f"{start[0] + 1},{start[0]}"  # the text field follows
    layers.rows[0][3].click()  # drop layer 1
    assert c.settings.config.hidden == (start[0],) and len(layers.rows) == 1
    assert not layers.rows[0][3].isEnabled()  # the net keeps one layer


def test_hidden_layers_past_the_librarys_limits_are_refused_in_place(net_window):
    c, layers = net_window.controller, net_window.controls.layers
    c.apply_config(replace(c.settings.config, hidden=(1,) * MAX_DEPTH))
    layers.add_layer.click()
    assert c.settings.config.hidden == (1,) * MAX_DEPTH
    assert layers.message.text() == f"hidden layers allows at most {MAX_DEPTH} hidden layers, got {MAX_DEPTH + 1}"
    layers.rows[0][1].click()  # below one neuron
    assert c.settings.config.hidden == (1,) * MAX_DEPTH
    assert layers.message.text() == "hidden layers widths must be whole numbers from 1 to 4096, got 0"


def test_hidden_layer_editor_is_off_for_a_linear_model(window):
    assert window.controller.settings.config.model == "svm" and not window.controls.layers.isEnabled()


def test_early_stopping_without_a_test_set_is_refused_in_place_with_the_trainers_message(window):
    c = window.controller
    assert not len(c.test)  # the guide's 6 points hold none out
    before = c.settings.config
    _type(window, "early_stop", "5")
    assert c.settings.config == before and c.trainer.config == before
    message = window.controls.more.message.text()
    assert message.startswith("early-stop needs a test set to watch: set test ratio above 0")
    assert window.controls.more.fields["early_stop"].text() == ""
