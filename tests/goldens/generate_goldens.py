"""Writes the PyTorch golden files that Loom's C++ tests compare against.

Each case builds a tiny model in PyTorch, computes in float64 and writes
tests/goldens/data/<case>.json with its inputs, parameters, outputs, loss and
d loss / d parameter; optimizer cases also record three training steps.
Inputs and initial parameters are rounded to float32-representable values, so a
float32 loader reads exactly the numbers PyTorch used. Every case seeds torch
itself, so a second run writes byte-identical files.

Run from the repository root:

    /usr/bin/python3 tests/goldens/generate_goldens.py

Schema of every file (tensors are {"shape": [...], "dtype": "float32" | "int32",
"data": [row-major values]}; "dtype" is the type Loom gives the tensor, the
values are float64):

    {
      "case": name, "description": one sentence, "torch_version": str,
      "config": {sizes, hyperparameters, "seed"},
      "inputs": {name: tensor},
      "parameters": {Loom parameter name: tensor},   # before any update
      "outputs": {name: tensor},
      "loss": float or null,
      "gradients": {Loom parameter name: tensor},    # at the initial parameters
      "steps": [{"loss": loss before the update,
                 "parameters": {name: tensor after the update}}, ...]
    }

Parameter names follow Loom: a recurrent layer N has N.weight_ih [G*H, I],
N.weight_hh [G*H, H], N.bias_ih [G*H], N.bias_hh [G*H] in PyTorch's layout and
gate order; a bidirectional layer has N.forward.* and N.backward.*; layer k of
a stack has N.k.*; a dense layer has N.weight [out, in] and N.bias [out].
"""

import json
import pathlib

import torch
import torch.nn as nn
import torch.nn.functional as F

DATA_DIR = pathlib.Path(__file__).resolve().parent / "data"

# T = time steps, B = batch, I = input features, H = hidden units.
T, B, I, H = 5, 3, 4, 6

PROBE_NAMES = {"sequence": "probe_sequence", "final_h": "probe_h", "final_c": "probe_c"}


def float32_exact(tensor):
    return tensor.detach().float().double()


def random_normal(*shape):
    return float32_exact(torch.randn(*shape))


def round_parameters_to_float32(*modules):
    with torch.no_grad():
        for module in modules:
            for parameter in module.parameters():
                parameter.copy_(float32_exact(parameter))


def recurrent_parameters(module, layer_name):
    """Maps PyTorch's names (weight_ih_l1_reverse) to Loom's (N.1.backward.weight_ih)."""
    round_parameters_to_float32(module)
    parameters = {}
    for torch_name, parameter in module.named_parameters():
        base, layer_and_direction = torch_name.split("_l")
        layer, _, reverse = layer_and_direction.partition("_")
        name = layer_name
        if module.num_layers > 1:
            name += "." + layer
        if module.bidirectional:
            name += ".backward" if reverse else ".forward"
        parameters[name + "." + base] = parameter
    return parameters


def dense_parameters(module, layer_name):
    round_parameters_to_float32(module)
    return {layer_name + ".weight": module.weight, layer_name + ".bias": module.bias}


def probe_loss(inputs, outputs):
    """Adds a random probe input per output and returns sum(output * probe) over them."""
    loss = 0
    for output_name, output in outputs.items():
        probe = random_normal(*output.shape)
        inputs[PROBE_NAMES[output_name]] = probe
        loss = loss + (output * probe).sum()
    return loss


def cho_gru(gru, x, h0):
    """The Cho et al. 2014 GRU (reset applied before W_hn), with nn.GRU's parameters."""
    w_ir, w_iz, w_in = gru.weight_ih_l0.chunk(3)
    w_hr, w_hz, w_hn = gru.weight_hh_l0.chunk(3)
    b_ir, b_iz, b_in = gru.bias_ih_l0.chunk(3)
    b_hr, b_hz, b_hn = gru.bias_hh_l0.chunk(3)
    h = h0[0]
    sequence = []
    for x_t in x:
        r = torch.sigmoid(x_t @ w_ir.T + b_ir + h @ w_hr.T + b_hr)
        z = torch.sigmoid(x_t @ w_iz.T + b_iz + h @ w_hz.T + b_hz)
        n = torch.tanh(x_t @ w_in.T + b_in + (r * h) @ w_hn.T + b_hn)
        h = (1 - z) * n + z * h
        sequence.append(h)
    return torch.stack(sequence), h.unsqueeze(0)


def cell_case(module, layer_name, run=None, reverse=False):
    """One recurrent layer from a random initial state; reverse runs it from x[T-1] to x[0]."""
    parameters = recurrent_parameters(module, layer_name)
    is_lstm = isinstance(module, nn.LSTM)
    inputs = {"x": random_normal(T, B, I), "h0": random_normal(B, H)}
    if is_lstm:
        inputs["c0"] = random_normal(B, H)
        initial_state = (inputs["h0"].unsqueeze(0), inputs["c0"].unsqueeze(0))
    else:
        initial_state = inputs["h0"].unsqueeze(0)
    x = inputs["x"].flip(0) if reverse else inputs["x"]
    sequence, final_state = (run or module)(x, initial_state)
    if reverse:
        sequence = sequence.flip(0)
    outputs = {"sequence": sequence}
    if is_lstm:
        outputs["final_h"], outputs["final_c"] = final_state[0][0], final_state[1][0]
    else:
        outputs["final_h"] = final_state[0]
    return {"config": {"T": T, "B": B, "I": I, "H": H}, "inputs": inputs,
            "parameters": parameters, "outputs": outputs, "loss": probe_loss(inputs, outputs)}


def rnn_tanh():
    return cell_case(nn.RNN(I, H, nonlinearity="tanh"), "rnn")


def rnn_relu():
    return cell_case(nn.RNN(I, H, nonlinearity="relu"), "rnn")


def lstm():
    return cell_case(nn.LSTM(I, H), "lstm")


def gru():
    return cell_case(nn.GRU(I, H), "gru")


def gru_cho():
    module = nn.GRU(I, H)
    return cell_case(module, "gru", run=lambda x, h0: cho_gru(module, x, h0))


def lstm_reverse():
    return cell_case(nn.LSTM(I, H), "lstm", reverse=True)


def bidirectional_case(module, layer_name, merge):
    parameters = recurrent_parameters(module, layer_name)
    inputs = {"x": random_normal(T, B, I)}
    both_directions, _ = module(inputs["x"])
    outputs = {"sequence": merge(both_directions[..., :H], both_directions[..., H:])}
    return {"config": {"T": T, "B": B, "I": I, "H": H}, "inputs": inputs,
            "parameters": parameters, "outputs": outputs, "loss": probe_loss(inputs, outputs)}


def bilstm_concat():
    return bidirectional_case(nn.LSTM(I, H, bidirectional=True), "bilstm",
                              lambda forward, backward: torch.cat([forward, backward], dim=-1))


def bigru_sum():
    return bidirectional_case(nn.GRU(I, H, bidirectional=True), "bigru",
                              lambda forward, backward: forward + backward)


def stacked_lstm():
    module = nn.LSTM(I, H, num_layers=2)
    parameters = recurrent_parameters(module, "stack")
    inputs = {"x": random_normal(T, B, I)}
    sequence, (final_h, _) = module(inputs["x"])
    outputs = {"sequence": sequence, "final_h": final_h[-1]}
    return {"config": {"T": T, "B": B, "I": I, "H": H, "layers": 2}, "inputs": inputs,
            "parameters": parameters, "outputs": outputs, "loss": probe_loss(inputs, outputs)}


def masked_embedding_lstm():
    steps, batch, vocabulary, embedding_size, hidden, classes = 6, 4, 9, 5, 7, 3
    embedding = nn.Embedding(vocabulary, embedding_size)
    encoder = nn.LSTM(embedding_size, hidden)
    classifier = nn.Linear(hidden, classes)
    round_parameters_to_float32(embedding)
    parameters = {"embedding.weight": embedding.weight,
                  **recurrent_parameters(encoder, "lstm"),
                  **dense_parameters(classifier, "classifier")}
    lengths = torch.tensor([6, 3, 1, 4])
    tokens = torch.randint(0, vocabulary, (steps, batch))
    padded = torch.arange(steps).unsqueeze(1) >= lengths
    # Padded positions hold random ids other than 0, so a model that reads them gets other results.
    tokens[padded] = torch.randint(1, vocabulary, (int(padded.sum()),))
    labels = torch.randint(0, classes, (batch,))
    packed = nn.utils.rnn.pack_padded_sequence(embedding(tokens), lengths, enforce_sorted=False)
    packed_sequence, (last_h, _) = encoder(packed)
    sequence, _ = nn.utils.rnn.pad_packed_sequence(packed_sequence, total_length=steps)
    logits = classifier(last_h[0])
    config = {"T": steps, "B": batch, "V": vocabulary, "E": embedding_size, "H": hidden,
              "C": classes}
    return {"config": config, "inputs": {"tokens": tokens, "lengths": lengths, "labels": labels},
            "parameters": parameters, "outputs": {"logits": logits, "sequence": sequence},
            "loss": F.cross_entropy(logits, labels)}


def loss_case(logits, inputs, loss):
    return {"config": {"shape": list(logits.shape)}, "inputs": inputs,
            "parameters": {"logits": logits}, "outputs": {}, "loss": loss}


def loss_softmax_onehot():
    logits = random_normal(4, 5).requires_grad_()
    labels = F.one_hot(torch.randint(0, 5, (4,)), 5).double()
    loss = -(labels * F.log_softmax(logits, dim=-1)).sum(dim=-1).mean()
    return loss_case(logits, {"labels": labels}, loss)


def loss_sparse():
    logits = random_normal(4, 5).requires_grad_()
    labels = torch.randint(0, 5, (4,))
    return loss_case(logits, {"labels": labels}, F.cross_entropy(logits, labels))


def loss_sequence():
    steps, batch, classes = 3, 2, 4
    logits = random_normal(steps, batch, classes).requires_grad_()
    labels = torch.randint(0, classes, (steps, batch))
    weights = torch.tensor([[1.0, 1.0], [1.0, 0.0], [0.5, 0.0]])
    cross_entropy = F.cross_entropy(logits.reshape(-1, classes), labels.reshape(-1),
                                    reduction="none").reshape(steps, batch)
    loss = (weights * cross_entropy).sum() / weights.sum()
    return loss_case(logits, {"labels": labels, "weights": weights}, loss)


def loss_sigmoid_bce():
    logits = random_normal(4, 3).requires_grad_()
    targets = torch.randint(0, 2, (4, 3)).double()
    targets[1, 2] = 0.3
    targets = float32_exact(targets)
    loss = F.binary_cross_entropy_with_logits(logits, targets)
    return loss_case(logits, {"targets": targets}, loss)


def torch_optimizer(make_optimizer, max_norm=None, norms_before_clipping=None):
    """Returns start(parameters) -> step(t, gradients) driving a torch.optim optimizer."""
    def start(parameters):
        optimizer = make_optimizer(parameters)

        def step(_, gradients):
            for parameter, gradient in zip(parameters, gradients):
                parameter.grad = gradient
            if max_norm is not None:
                norm = nn.utils.clip_grad_norm_(parameters, max_norm)
                norms_before_clipping.append(norm.item())
            optimizer.step()
        return step
    return start


def keras_sgd_momentum(lr, momentum):
    def start(parameters):
        velocities = [torch.zeros_like(p) for p in parameters]

        def step(_, gradients):
            for parameter, velocity, gradient in zip(parameters, velocities, gradients):
                velocity.mul_(momentum).sub_(lr * gradient)
                parameter.add_(velocity)
        return step
    return start


def keras_adam(lr, beta_1, beta_2, epsilon):
    def start(parameters):
        first_moments = [torch.zeros_like(p) for p in parameters]
        second_moments = [torch.zeros_like(p) for p in parameters]

        def step(t, gradients):
            lr_t = lr * (1 - beta_2 ** t) ** 0.5 / (1 - beta_1 ** t)
            for parameter, m, v, gradient in zip(parameters, first_moments, second_moments,
                                                 gradients):
                m.mul_(beta_1).add_((1 - beta_1) * gradient)
                v.mul_(beta_2).add_((1 - beta_2) * gradient * gradient)
                parameter.sub_(lr_t * m / (v.sqrt() + epsilon))
        return step
    return start


def keras_rmsprop(lr, rho, epsilon):
    def start(parameters):
        mean_squares = [torch.zeros_like(p) for p in parameters]

        def step(_, gradients):
            for parameter, v, gradient in zip(parameters, mean_squares, gradients):
                v.mul_(rho).add_((1 - rho) * gradient * gradient)
                parameter.sub_(lr * gradient / (v + epsilon).sqrt())
        return step
    return start


def optimizer_case(hyperparameters, start_optimizer, x_scale=1.0):
    """Three updates of dense(x) -> cross entropy on one batch; x_scale enlarges the gradient."""
    dense = nn.Linear(4, 3)
    parameters = dense_parameters(dense, "dense")
    x = random_normal(5, 4) * x_scale
    labels = torch.randint(0, 3, (5,))
    logits = dense(x)
    initial_loss = F.cross_entropy(logits, labels)
    case = {"config": hyperparameters, "inputs": {"x": x, "labels": labels},
            "parameters": {name: p.detach().clone() for name, p in parameters.items()},
            "outputs": {"logits": logits}, "loss": initial_loss,
            "gradients": dict(zip(parameters, torch.autograd.grad(initial_loss,
                                                                   list(parameters.values()))))}
    step = start_optimizer(list(parameters.values()))
    steps = []
    for t in range(1, 4):
        loss = F.cross_entropy(dense(x), labels)
        gradients = torch.autograd.grad(loss, list(parameters.values()))
        with torch.no_grad():
            step(t, gradients)
        steps.append({"loss": loss.item(),
                      "parameters": {name: tensor_json(p) for name, p in parameters.items()}})
    case["steps"] = steps
    return case


def sgd():
    return optimizer_case({"lr": 0.1},
                          torch_optimizer(lambda p: torch.optim.SGD(p, lr=0.1)))


def sgd_momentum():
    return optimizer_case({"lr": 0.1, "momentum": 0.9},
                          torch_optimizer(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)))


def sgd_momentum_keras():
    return optimizer_case({"lr": 0.1, "momentum": 0.9}, keras_sgd_momentum(0.1, 0.9))


def adam():
    return optimizer_case({"lr": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8},
                          torch_optimizer(lambda p: torch.optim.Adam(p, lr=0.01)))


def adam_keras():
    return optimizer_case({"lr": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
                          keras_adam(0.01, 0.9, 0.999, 1e-7))


def rmsprop():
    return optimizer_case({"lr": 0.01, "rho": 0.99, "epsilon": 1e-8},
                          torch_optimizer(lambda p: torch.optim.RMSprop(p, lr=0.01)))


def rmsprop_keras():
    return optimizer_case({"lr": 0.01, "rho": 0.9, "epsilon": 1e-7},
                          keras_rmsprop(0.01, 0.9, 1e-7))


def adam_clipped():
    x_scale = 4.0  # makes the gradient norm about 3, well above max_norm
    norms_before_clipping = []
    config = {"lr": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8, "max_norm": 0.5,
              "x_scale": x_scale, "total_norm_before_clipping": norms_before_clipping}
    case = optimizer_case(config, torch_optimizer(lambda p: torch.optim.Adam(p, lr=0.01),
                                                  0.5, norms_before_clipping), x_scale)
    assert min(norms_before_clipping) > 0.5, "every step must clip"
    return case


def sgd_clipped():
    """SGD reacts to clipping in proportion, so this case pins the clipping factor down."""
    x_scale = 4.0
    norms_before_clipping = []
    config = {"lr": 0.1, "max_norm": 0.5, "x_scale": x_scale,
              "total_norm_before_clipping": norms_before_clipping}
    case = optimizer_case(config, torch_optimizer(lambda p: torch.optim.SGD(p, lr=0.1),
                                                  0.5, norms_before_clipping), x_scale)
    assert min(norms_before_clipping) > 0.5, "every step must clip"
    return case


def keras_clipped_sgd(lr, max_norm, norms_before_clipping):
    """tf.clip_by_global_norm, then plain SGD: every gradient times max_norm / max(norm, max_norm)."""
    def start(parameters):
        def step(_, gradients):
            norm = torch.sqrt(sum((g * g).sum() for g in gradients))
            norms_before_clipping.append(norm.item())
            factor = max_norm / torch.maximum(norm, torch.tensor(max_norm))
            for parameter, gradient in zip(parameters, gradients):
                parameter.sub_(lr * gradient * factor)
        return step
    return start


def sgd_clipped_keras():
    x_scale = 4.0
    norms_before_clipping = []
    config = {"lr": 0.1, "max_norm": 0.5, "x_scale": x_scale,
              "total_norm_before_clipping": norms_before_clipping}
    case = optimizer_case(config, keras_clipped_sgd(0.1, 0.5, norms_before_clipping), x_scale)
    assert min(norms_before_clipping) > 0.5, "every step must clip"
    return case

def attention_decoder(score):
    """An attention encoder-decoder as in models/g2p, with a small vocabulary: embedding, a
    bidirectional GRU over a packed padded batch, a tanh bridge to the decoder's first state, and
    a GRUCell decoder with teacher forcing fed [embedding; context], the context from scoring the
    previous decoder state against the encoder outputs (padding masked), logits from
    [state; context]; loss is the masked mean cross entropy."""
    steps, batch, letters_size, features, encoder_units = 5, 3, 6, 3, 4
    target_steps, symbols, attention_units = 4, 6, 5
    width = 2 * encoder_units  # the values' features; the decoder's width too, for the dot score
    letters = nn.Embedding(letters_size, features)
    encoder = nn.GRU(features, encoder_units, bidirectional=True)
    bridge = nn.Linear(width, width)
    phonemes = nn.Embedding(symbols, features)
    decoder = nn.GRUCell(features + width, width)
    output = nn.Linear(2 * width, symbols)
    round_parameters_to_float32(letters, phonemes, decoder)
    parameters = {"letters.weight": letters.weight, **recurrent_parameters(encoder, "encoder"),
                  **dense_parameters(bridge, "bridge"), "phonemes.weight": phonemes.weight,
                  **{"decoder." + name: p for name, p in decoder.named_parameters()},
                  **dense_parameters(output, "output")}
    if score == "additive":
        query = nn.Linear(width, attention_units, bias=False)
        key = nn.Linear(width, attention_units)
        scorer = nn.Linear(attention_units, 1, bias=False)
        round_parameters_to_float32(query, key, scorer)
        parameters.update({"attention.query.weight": query.weight, **dense_parameters(key, "attention.key"),
                           "attention.score.weight": scorer.weight})
    elif score == "general":
        key = nn.Linear(width, width, bias=False)
        round_parameters_to_float32(key)
        parameters["attention.key.weight"] = key.weight

    lengths = torch.tensor([5, 3, 1])
    source = torch.randint(0, letters_size, (steps, batch))
    padded = torch.arange(steps).unsqueeze(1) >= lengths
    source[padded] = torch.randint(1, letters_size, (int(padded.sum()),))
    previous = torch.randint(0, symbols, (target_steps, batch))
    target = torch.randint(0, symbols, (target_steps, batch))
    target_lengths = torch.tensor([4, 2, 3])

    packed = nn.utils.rnn.pack_padded_sequence(letters(source), lengths, enforce_sorted=False)
    packed_values, final = encoder(packed)
    values, _ = nn.utils.rnn.pad_packed_sequence(packed_values, total_length=steps)  # [S, B, D]
    h = torch.tanh(bridge(torch.cat([final[0], final[1]], 1)))
    valid = ~padded
    keys = key(values) if score == "additive" else values
    logits, weights = [], []
    for t in range(target_steps):
        if score == "additive":
            scores = scorer(torch.tanh(query(h) + keys)).squeeze(2)  # [S, B]
        elif score == "dot":
            scores = (values * h).sum(2)
        else:
            scores = (key(values) * h).sum(2)
        alpha = torch.softmax(scores.masked_fill(~valid, float("-inf")), 0)
        context = (alpha.unsqueeze(2) * values).sum(0)
        h = decoder(torch.cat([phonemes(previous[t]), context], 1), h)
        logits.append(output(torch.cat([h, context], 1)))
        weights.append(alpha.T)
    logits, weights = torch.stack(logits), torch.stack(weights)
    mask = (torch.arange(target_steps).unsqueeze(1) < target_lengths).double()
    cross_entropy = F.cross_entropy(logits.reshape(-1, symbols), target.reshape(-1), reduction="none")
    loss = (cross_entropy * mask.reshape(-1)).sum() / mask.sum()
    config = {"S": steps, "B": batch, "V": letters_size, "E": features, "H": encoder_units,
              "T": target_steps, "C": symbols, "A": attention_units, "score": score}
    inputs = {"source": source, "source_lengths": lengths, "previous": previous, "target": target,
              "target_lengths": target_lengths}
    return {"config": config, "inputs": inputs, "parameters": parameters,
            "outputs": {"logits": logits, "attention": weights}, "loss": loss}


# Name, seed, description, builder. Optimizer cases share a seed, so they start from one model.
CASES = [
    ("rnn_tanh", 1, "nn.RNN(tanh) from a random initial state; loss = sum of outputs times probes.",
     rnn_tanh),
    ("rnn_relu", 2, "nn.RNN(relu) from a random initial state; loss = sum of outputs times probes.",
     rnn_relu),
    ("lstm", 3, "nn.LSTM from a random initial state; loss = sum of outputs times probes.", lstm),
    ("gru", 4, "nn.GRU (reset after W_hn) from a random initial state; loss = sum of outputs "
     "times probes.", gru),
    ("gru_cho", 5, "Cho et al. 2014 GRU (reset before W_hn) by hand with nn.GRU's parameters; "
     "loss = sum of outputs times probes.", gru_cho),
    ("lstm_reverse", 6, "nn.LSTM run from x[T-1] to x[0], outputs aligned to input positions; "
     "loss = sum of outputs times probes.", lstm_reverse),
    ("bilstm_concat", 7, "Bidirectional nn.LSTM from zero state, directions concatenated; "
     "loss = sum(sequence * probe_sequence).", bilstm_concat),
    ("bigru_sum", 8, "Bidirectional nn.GRU from zero state, directions summed; "
     "loss = sum(sequence * probe_sequence).", bigru_sum),
    ("stacked_lstm", 9, "Two-layer nn.LSTM from zero state; loss = sum of top-layer sequence "
     "and final h times probes.", stacked_lstm),
    ("masked_embedding_lstm", 10, "Embedding, nn.LSTM over a packed padded batch, dense on the "
     "last valid state, mean cross entropy.", masked_embedding_lstm),
    ("loss_softmax_onehot", 11, "Mean over the batch of -sum(labels * log_softmax(logits)) with "
     "one-hot labels.", loss_softmax_onehot),
    ("loss_sparse", 12, "F.cross_entropy(logits, labels), mean over the batch.", loss_sparse),
    ("loss_sequence", 13, "Per-position cross entropy weighted by weights, divided by the sum "
     "of weights.", loss_sequence),
    ("loss_sigmoid_bce", 14, "F.binary_cross_entropy_with_logits, mean over all elements.",
     loss_sigmoid_bce),
    ("sgd", 20, "Three torch.optim.SGD steps on dense -> cross entropy.", sgd),
    ("sgd_momentum", 20, "Three torch.optim.SGD steps with momentum on dense -> cross entropy.",
     sgd_momentum),
    ("sgd_momentum_keras", 20, "Three Keras-style momentum SGD steps (v = mu v - lr g; p += v) "
     "on dense -> cross entropy.", sgd_momentum_keras),
    ("adam", 20, "Three torch.optim.Adam steps on dense -> cross entropy.", adam),
    ("adam_keras", 20, "Three Keras-style Adam steps (epsilon outside the bias correction) on "
     "dense -> cross entropy.", adam_keras),
    ("rmsprop", 20, "Three torch.optim.RMSprop steps on dense -> cross entropy.", rmsprop),
    ("rmsprop_keras", 20, "Three TensorFlow-style RMSprop steps (epsilon inside the sqrt) on "
     "dense -> cross entropy.", rmsprop_keras),
    ("adam_clipped", 21, "Three torch.optim.Adam steps after clip_grad_norm_(max_norm=0.5) on "
     "dense -> cross entropy.", adam_clipped),
    ("sgd_clipped", 21, "Three torch.optim.SGD steps after clip_grad_norm_(max_norm=0.5) on "
     "dense -> cross entropy.", sgd_clipped),
    ("sgd_clipped_keras", 21, "Three SGD steps after tf.clip_by_global_norm(0.5) semantics, by hand, "
     "on dense -> cross entropy.", sgd_clipped_keras),
    ("attention_additive", 30, "Bahdanau (additive) attention encoder-decoder, teacher forcing, "
     "masked mean cross entropy.", lambda: attention_decoder("additive")),
    ("attention_dot", 31, "Luong dot attention encoder-decoder, teacher forcing, masked mean "
     "cross entropy.", lambda: attention_decoder("dot")),
    ("attention_general", 32, "Luong general attention encoder-decoder, teacher forcing, masked "
     "mean cross entropy.", lambda: attention_decoder("general")),
]


def tensor_json(tensor):
    tensor = tensor.detach()
    if tensor.is_floating_point():
        return {"shape": list(tensor.shape), "dtype": "float32",
                "data": [float(value) for value in tensor.reshape(-1).tolist()]}
    return {"shape": list(tensor.shape), "dtype": "int32",
            "data": [int(value) for value in tensor.reshape(-1).tolist()]}


def build_case(name, seed, description, build):
    """Runs one case's builder under its seed and turns its tensors into the JSON schema."""
    torch.manual_seed(seed)
    case = build()
    if "gradients" not in case:
        parameters = case["parameters"]
        gradients = torch.autograd.grad(case["loss"], list(parameters.values()))
        case["gradients"] = dict(zip(parameters, gradients))
    record = {"case": name, "description": description, "torch_version": torch.__version__,
              "config": {**case["config"], "seed": seed}}
    for group in ("inputs", "parameters", "outputs"):
        record[group] = {key: tensor_json(value) for key, value in case[group].items()}
    record["loss"] = case["loss"].item()
    record["gradients"] = {key: tensor_json(value) for key, value in case["gradients"].items()}
    if "steps" in case:
        record["steps"] = case["steps"]
    return record


def json_text(value, depth=0):
    """JSON with nested objects indented and each tensor's data list on one line."""
    indent = "  " * (depth + 1)
    if isinstance(value, dict) and value and not ("data" in value and "shape" in value):
        items = [f"{indent}{json.dumps(key)}: {json_text(item, depth + 1)}"
                 for key, item in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * depth + "}"
    if isinstance(value, list) and value and isinstance(value[0], dict):
        items = [indent + json_text(item, depth + 1) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + "  " * depth + "]"
    return json.dumps(value, allow_nan=False)


def main():
    torch.set_default_dtype(torch.float64)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    for name, seed, description, build in CASES:
        record = build_case(name, seed, description, build)
        (DATA_DIR / f"{name}.json").write_text(json_text(record) + "\n")
        print(f"wrote {name}.json")


if __name__ == "__main__":
    main()
