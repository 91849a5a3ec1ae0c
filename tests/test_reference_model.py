"""The model pieces: update, Sequential, build_model, training, prediction helpers."""

import numpy as np
import pytest

from autograder import reference as ref


def test_update_takes_one_step_and_clears_the_gradients(rng):
    layer = ref.Linear(3, 2, rng=rng)
    W, b = layer.W.copy(), layer.b.copy()
    layer.forward(rng.standard_normal((4, 3)))
    layer.backward(np.ones((4, 2)))
    dW, db = layer.dW.copy(), layer.db.copy()
    assert [v.shape for v, _ in layer.parameters()] == [(3, 2), (2,)]
    layer.update(0.1)
    np.testing.assert_allclose(layer.W, W - 0.1 * dW)
    np.testing.assert_allclose(layer.b, b - 0.1 * db)
    assert layer.dW is None and layer.db is None


def test_parameterless_layers_have_nothing_to_update():
    for layer in (ref.ReLU(), ref.Sigmoid(), ref.Tanh(), ref.Identity(), ref.Dropout(0.1)):
        assert layer.parameters() == []
        layer.update(0.1)


def test_build_model_follows_the_architecture():
    model = ref.build_model([
        {"input_dim": 2, "output_dim": 5, "activation": "relu"},
        {"input_dim": 5, "output_dim": 1, "activation": "sigmoid"},
    ], seed=0)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Linear", "ReLU", "Linear", "Sigmoid"]
    assert len(model.parameters()) == 4
    same = ref.build_model([{"input_dim": 2, "output_dim": 5, "activation": "relu"}], seed=0)
    np.testing.assert_array_equal(same.layers[0].W, model.layers[0].W)
    with pytest.raises(ValueError, match="unknown activation"):
        ref.build_model([{"input_dim": 2, "output_dim": 5, "activation": "softplus"}])


def test_sequential_train_and_eval_reach_every_layer():
    model = ref.Sequential(ref.Linear(2, 3), ref.Dropout(0.5), ref.ReLU())
    model.eval()
    assert not any(layer.training for layer in model.layers)
    model.train()
    assert all(layer.training for layer in model.layers)


def test_zero_grad_clears_every_gradient(rng):
    model = ref.build_model([{"input_dim": 3, "output_dim": 2, "activation": "tanh"}])
    model.forward(rng.standard_normal((5, 3)))
    model.backward(np.ones((5, 2)))
    assert all(g is not None for _, g in model.parameters())
    model.zero_grad()
    assert all(g is None for _, g in model.parameters())


def test_training_lowers_the_loss_and_is_reproducible():
    X, y = ref.generate_disc_set(300, seed=0)
    Y = ref.one_hot(y, 2)
    runs = []
    for _ in range(2):
        model = ref.build_model([
            {"input_dim": 2, "output_dim": 16, "activation": "relu"},
            {"input_dim": 16, "output_dim": 2, "activation": "identity"},
        ], seed=0)
        runs.append(ref.train(model, ref.MeanSquareError(), X, Y, epochs=20, batch_size=32, lr=0.1,
                              X_val=X, Y_val=Y))
    history = runs[0]
    assert sorted(history) == ["loss", "val_accuracy", "val_loss"]
    assert len(history["loss"]) == 20 and history["loss"][-1] < history["loss"][0]
    assert runs[0] == runs[1]


def test_predict_accuracy_and_confusion_matrix():
    model = ref.Sequential(ref.Identity())
    assert ref.predict(model, np.array([[0.3], [-2.0]])).tolist() == [1, 0]
    assert ref.predict(model, np.array([[0.1, 0.7, 0.2], [3.0, 0.0, 1.0]])).tolist() == [1, 0]
    assert ref.accuracy(np.array([1, 0, 2, 2]), np.array([1, 1, 2, 0])) == 0.5
    with pytest.raises(ValueError, match="shape"):
        ref.accuracy(np.zeros(3), np.zeros((3, 1)))
    matrix = ref.confusion_matrix(np.array([0, 1, 1, 2]), np.array([0, 2, 1, 2]), 4)
    assert matrix.dtype.kind == "i" and matrix.shape == (4, 4)
    assert matrix.tolist() == [[1, 0, 0, 0], [0, 1, 1, 0], [0, 0, 1, 0], [0, 0, 0, 0]]


def test_tiny_net_forward_matches_the_hand_computation():
    X = np.array([[1.0, 2.0, -1.0]])
    W1 = np.array([[1.0, -1.0, 0.5, 0.0], [0.0, 1.0, 0.5, -1.0], [1.0, 0.0, 1.0, 1.0]])
    W2 = np.array([[1.0], [2.0], [-1.0], [3.0]])
    # Z1 = [0, 1, 0.5, -3] -> ReLU -> [0, 1, 0.5, 0] -> y = 2 - 0.5
    np.testing.assert_allclose(ref.tiny_net_forward(X, W1, W2), [[1.5]])
