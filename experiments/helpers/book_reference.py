"""The book's reference: every number Nielsen's book reports from its own runs, by our ids, with
the settings it ran, in our words. BOOK.md follows this order and these labels, and its rules
compare against the numbers of ``BOOK`` below (one entry per id; a test ties every number of it
to the text shown in REFERENCE).

Ids are chapter.number. Epochs are counted from 0. "test" means the 10,000 test images and
"valid" the 10,000 validation images; "peak" is the epoch with the best value and "final" the
last epoch. A number in brackets is read off the data behind one of the book's figures, where
its text shows only the curve. Unless a row says otherwise: 50,000 training images, sigmoid
neurons, mini-batches of 10. network.py (chapter 1) uses the quadratic cost and N(0, 1) weights
and biases ("old init"); network2.py (chapters 3 and 5) the cross-entropy cost and weights drawn
N(0, 1/n_in) ("new init") unless a row says old, with L2 decay factor 1 - eta lmbda / n.
Chapter 1's accuracies are the best of three runs. Chapter 6's are network3.py's figure: the test
accuracy of the latest epoch whose validation accuracy ties or beats every earlier one, best of
three runs, the mini-batches in the same order every epoch.
"""
from __future__ import annotations

# (id, chapter, the run, the book's number)
REFERENCE: list[tuple[str, int, str, str]] = [
    ("1.1", 1, "[784, 30, 10], network.py, eta 3.0, 30 epochs: test count per epoch",
     "epochs 0, 1, 2: 9,129; 9,295; 9,348; epochs 27, 28, 29: 9,528; 9,542; 9,534"),
    ("1.2", 1, "the same: peak test accuracy (best of three)", "95.42% (epoch 28)"),
    ("1.3", 1, "[784, 100, 10], network.py, eta 3.0, 30 epochs: peak test (best of three)", "96.59%"),
    ("1.4", 1, "[784, 100, 10], network.py, eta 0.001, 30 epochs: test count per epoch",
     "epochs 0, 1, 2: 1,139; 1,136; 1,135; epochs 27, 28, 29: 2,101; 2,123; 2,142"),
    ("1.6", 1, "[784, 30, 10], network.py, eta 100.0, 30 epochs: test count per epoch", "1,009 (epochs 0-3); 982 (27-29)"),
    ("1.7", 1, "[784, 10], no hidden layer (the exercise; eta 3.0 is ours): peak test", "no number"),
    ("1.8", 1, "guessing a digit at random", "about 10%"),
    ("1.9", 1, "average darkness: for each digit, the average over its training images of an image's summed intensity; a test image takes the digit whose average is closest",
     "2,225 / 10,000"),
    ("1.10", 1, "svm.SVC on the 50,000 images (RBF, C 1, gamma 1/784, its defaults then); also today's default",
     "9,435 / 10,000"),
    ("1.13", 1, "wall time of 1.1 (30 epochs, network.py)", "a few minutes (a 2015 machine)"),
    ("1.14", 1, "time per epoch of 1.3 ([784, 100, 10])", "tens of seconds (the author's machine)"),
    ("2.1", 2, "fully matrix-based mini-batch backprop against network.py's per-sample loop", "about 2x faster"),
    ("3.1", 3, "[784, 30, 10], cross-entropy, old init, eta 0.5, 30 epochs: peak test", "95.49%"),
    ("3.2", 3, "[784, 100, 10], the same: peak test", "96.82%"),
    ("3.3", 3, "1.3 against 3.2: the test error, quadratic then cross-entropy", "3.41% -> 3.18%"),
    ("3.4", 3, "overfitting: [784, 30, 10], old init, eta 0.5, 1,000 images, 400 epochs: training cost, epochs 200-399",
     "falls smoothly [0.0097 at 200, 0.0042 at 399]"),
    ("3.5", 3, "the same: test accuracy after 200 epochs", "just under 82% [81.90% at 199; 82.01% the best of 0-199]"),
    ("3.6", 3, "the same: the epoch where test accuracy stops improving", "near 280 [82.23% at 279]"),
    ("3.7", 3, "the same: the epoch of the lowest test cost", "near 15 [epoch 14: 1.2028; 2.076 at 0, 1.773 at 399]"),
    ("3.8", 3, "the same: training accuracy reaches 100%", "[1,000 of 1,000 first at epoch 67]"),
    ("3.9", 3, "the same: peak test accuracy", "82.27% [epoch 374; final 82.23%]"),
    ("3.10", 3, "the same on the 50,000 images, 30 epochs: best training, best test", "97.86%, 95.33% (a gap of 2.53 points; 17.73 on 1,000 images)"),
    ("3.11", 3, "as 3.4 with lambda 0.1: peak test; still rising at 400 epochs", "87.1% [8,710 at epoch 383; 86.95% final]"),
    ("3.12", 3, "[784, 30, 10], old init, eta 0.5, lambda 5.0, 50,000 images, 30 epochs: peak test",
     "96.49% [epoch 28; final 95.61%]"),
    ("3.13", 3, "3.12's run: peak training accuracy minus peak test accuracy", "under one point [97.12 - 96.49]"),
    ("3.14", 3, "[784, 100, 10], old init, eta 0.5, lambda 5.0, 30 epochs: final validation", "97.92%"),
    ("3.15", 3, "[784, 100, 10], eta 0.1, lambda 5.0, 60 epochs: peak validation", "98.04%"),
    ("3.17", 3, "parameters of [784, 30, 10] and [784, 100, 10]", "23,860; nearly 80,000 [79,510]"),
    ("3.18", 3, "more data: [784, 30, 10], old init, eta 0.5, lambda 0.0001 x n, 1,500,000 / n epochs: final valid",
     "69.09, 76.37, 85.29, 88.85, 91.27, 93.24, 94.89, 95.85, 95.97% (100 to 50,000 images)"),
    ("3.19", 3, "the same sizes with svm.SVC (gamma 1/784): validation", "25.07, 48.93, 75.13, 83.87, 88.49, 91.46, 92.45, 93.47, 94.48%"),
    ("3.20", 3, "3.18 against 3.19", "the network above the SVM at all nine sizes"),
    ("3.25", 3, "weight init, [784, 30, 10], eta 0.1, lambda 5.0, 30 epochs: final validation, new and old",
     "both over 96% [new 96.50, old 96.37]"),
    ("3.26", 3, "the same, after the first epoch", "new near 93, old below 87 [new 92.70, old 86.43]"),
    ("3.27", 3, "the same with 100 hidden neurons, epochs 0 and 29", "new 92.95 -> 97.81, old 89.94 -> 97.42"),
    ("3.28", 3, "[784, 30, 10], eta 10.0, lambda 1000.0: validation count per epoch", "1,030, 990, 1,009, ..., 983, 967"),
    ("3.29", 3, "[784, 10], 1,000 images, eta 10, lambda 1000 (decay factor below zero): valid[:100] per epoch",
     "10 every epoch"),
    ("3.30", 3, "the same with lambda 20", "12, 14, 25, 18 in the first epochs"),
    ("3.31", 3, "eta 100, lambda 20 (decay factor below zero)", "10 every epoch"),
    ("3.32", 3, "eta 1, lambda 20", "62, 42, 43, 61 in the first epochs"),
    ("3.33", 3, "time per epoch of network2 [784, 30, 10] on 50,000 images; on 1,000 with 100 validation images",
     "~10 s; well under a second (on the author's laptop)"),
    ("3.35", 3, "training cost per epoch with eta 0.025, 0.25, 2.5",
     "0.025 smooth [0.878 -> 0.339]; 0.25 flat after ~20 [min 0.320 at 22]; 2.5 oscillates [0.725-1.137]"),
    ("3.36", 3, "the learning-rate threshold: the largest eta for which the training cost decreases over the first few epochs",
     "of order 0.1, refined to 0.5"),
    ("5.1", 5, "[784, 30, 10], eta 0.1, lambda 5.0, 30 epochs: validation", "96.48%"),
    ("5.2", 5, "[784, 30, 30, 10], the same", "96.90%"),
    ("5.3", 5, "[784, 30, 30, 30, 10], the same", "96.57%"),
    ("5.4", 5, "[784, 30, 30, 30, 30, 10], the same", "96.53%"),
    ("5.5", 5, "speeds of learning ||dC/db|| at the start, [784, 30, 30, 10], 1,000 images", "0.07, 0.31 [0.0657, 0.3092]"),
    ("5.6", 5, "the same, [784, 30, 30, 30, 10]", "0.012, 0.060, 0.283"),
    ("5.7", 5, "the same, [784, 30, 30, 30, 30, 10]", "0.003, 0.017, 0.070, 0.285"),
    ("5.8", 5, "dC/db of the first six neurons of each hidden layer of [784, 30, 30, 10] at the start",
     "the second layer's mostly much larger [lengths 0.031 and 0.087]"),
    ("5.9", 5, "speeds during 500 epochs (1,000 images as one batch, eta 0.1, lambda 5.0), 2 hidden layers",
     "fall fast, then rebound; the earlier layer slower"),
    ("5.10", 5, "the same, 3 hidden layers", "earlier layers slower"),
    ("5.11", 5, "the same, 4 hidden layers", "earlier layers slower; layer 1 some 100 times slower than layer 4 "
     "[95.8x at epoch 0, median 74.5x]"),
    ("5.12", 5, "time to train one of 5.1-5.4 for 30 epochs", "some minutes"),
    ("6.1", 6, "FC 100 + softmax; sigmoid, eta 0.1, 60 epochs", "97.80%"),
    ("6.2", 6, "3.15's run, recalled in chapter 6: peak validation", "98.04%"),
    ("6.3", 6, "conv-pool 20 + FC 100 + softmax; sigmoid, eta 0.1, 60 epochs", "98.78%"),
    ("6.4", 6, "two conv-pool (20, 40) + FC 100 + softmax; sigmoid, eta 0.1, 60 epochs", "99.06%"),
    ("6.5", 6, "the same with ReLU, eta 0.03, lambda 0.1", "99.23%"),
    ("6.6", 6, "the same on the expanded 250,000 images", "99.37%"),
    ("6.7", 6, "as 6.6 with FC 300", "99.46%"),
    ("6.8", 6, "as 6.6 with FC 1000", "99.43%"),
    ("6.9", 6, "as 6.6 with two FC 100", "99.43%"),
    ("6.10", 6, "as 6.6 with two FC 300", "99.48%"),
    ("6.11", 6, "as 6.6 with two FC 1000", "99.47%"),
    ("6.12", 6, "two FC 1000, dropout 0.5 (FC layers and softmax), 40 epochs, expanded", "99.60%"),
    ("6.13", 6, "as 6.12 with FC 300", "slightly worse validation than 6.12 (no number)"),
    ("6.14", 6, "plurality vote of five networks as 6.12", "99.67% (33 errors)"),
    ("6.15", 6, "6.1 against 6.3: the test error", "the error falls by over 33% [2.20% -> 1.22%]"),
    ("6.16", 6, "each pair of runs the chapter compares, ReLU against sigmoid (6.4, 6.5)", "ReLU ahead in each pair"),
    ("6.27", 6, "parameters of one conv layer of 20 5x5 maps; of a [784, 30] fully connected layer", "520; 23,550"),
]

# the book's numbers by id, as the rules read them: accuracies in percent, costs as printed,
# counts of images; an int key is an epoch. Each is in REFERENCE's text of its id (a test checks).
BOOK: dict[str, dict] = {
    "1.1": {0: 9129, 1: 9295, 2: 9348, 27: 9528, 28: 9542, 29: 9534},
    "1.2": {"peak": 95.42, "epoch": 28},
    "1.3": {"peak": 96.59},
    "1.4": {0: 1139, 1: 1136, 2: 1135, 27: 2101, 28: 2123, 29: 2142},
    "1.6": {"early": 1009, "late": 982},
    "1.8": {"accuracy": 10},
    "1.9": {"correct": 2225},
    "1.10": {"correct": 9435},
    "3.1": {"peak": 95.49},
    "3.2": {"peak": 96.82},
    "3.3": {"quadratic": 3.41, "cross_entropy": 3.18},
    "3.4": {"cost200": 0.0097, "cost399": 0.0042},
    "3.5": {"at199": 81.90, "best_to_199": 82.01},
    "3.6": {"epoch": 279, "accuracy": 82.23},
    "3.7": {"epoch": 14, "cost": 1.2028, "cost0": 2.076, "cost399": 1.773},
    "3.8": {"epoch": 67},
    "3.9": {"peak": 82.27, "epoch": 374, "final": 82.23},
    "3.10": {"training": 97.86, "test": 95.33, "gap_1000": 17.73},
    "3.11": {"peak": 87.1, "epoch": 383, "final": 86.95},
    "3.12": {"peak": 96.49, "epoch": 28, "final": 95.61},
    "3.13": {"training": 97.12, "test": 96.49},
    "3.14": {"final": 97.92},
    "3.15": {"peak": 98.04},
    "3.17": {"[784, 30, 10]": 23860, "[784, 100, 10]": 79510},
    "3.18": {"validation": [69.09, 76.37, 85.29, 88.85, 91.27, 93.24, 94.89, 95.85, 95.97]},
    "3.19": {"validation": [25.07, 48.93, 75.13, 83.87, 88.49, 91.46, 92.45, 93.47, 94.48]},
    "3.25": {"new": 96.50, "old": 96.37},
    "3.26": {"new": 92.70, "old": 86.43},
    "3.27": {"new0": 92.95, "new29": 97.81, "old0": 89.94, "old29": 97.42},
    "3.28": {"first": [1030, 990, 1009], "last": [983, 967]},
    "3.29": {"every_epoch": 10},
    "3.30": {"first": [12, 14, 25, 18]},
    "3.31": {"every_epoch": 10},
    "3.32": {"first": [62, 42, 43, 61]},
    "3.35": {"0.025_first": 0.878, "0.025_last": 0.339, "0.25_min_epoch": 22, "0.25_min": 0.320,
             "2.5_low": 0.725, "2.5_high": 1.137},
    "3.36": {"eta": 0.5},
    "5.1": {"validation": 96.48},
    "5.2": {"validation": 96.90},
    "5.3": {"validation": 96.57},
    "5.4": {"validation": 96.53},
    "5.5": {"speeds": [0.0657, 0.3092]},
    "5.6": {"speeds": [0.012, 0.060, 0.283]},
    "5.7": {"speeds": [0.003, 0.017, 0.070, 0.285]},
    "5.8": {"length1": 0.031, "length2": 0.087},
    "5.11": {"ratio0": 95.8, "median_ratio": 74.5},
    "6.1": {"test": 97.80}, "6.2": {"validation": 98.04}, "6.3": {"test": 98.78}, "6.4": {"test": 99.06},
    "6.5": {"test": 99.23}, "6.6": {"test": 99.37}, "6.7": {"test": 99.46}, "6.8": {"test": 99.43},
    "6.9": {"test": 99.43}, "6.10": {"test": 99.48}, "6.11": {"test": 99.47}, "6.12": {"test": 99.60},
    "6.14": {"test": 99.67, "errors": 33},
    "6.15": {"plain_error": 2.20, "conv_error": 1.22},
    "6.27": {"conv20": 520, "fc784_30": 23550},
}
MORE_DATA_SIZES = [100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000]
CHAPTER6 = {rid: v["test"] for rid, v in BOOK.items() if rid.startswith("6.") and "test" in v}


def book(rid: str, key: str | int) -> float:
    """The book's number ``key`` of id ``rid`` (a KeyError names both if it has none)."""
    try:
        return BOOK[rid][key]
    except KeyError:
        raise KeyError(f"the book reference has no number {key!r} for id {rid}") from None


# the book's numbers on its figures of runs, as BOOK.md marks them on our curves: (epoch, value),
# or (None, value) for a number whose epoch the book does not give (drawn as a level line)
FIGURE_MARKS = {
    "overfitting2": [(199, book("3.5", "at199")), (374, book("3.9", "peak"))],
    "overfitting3": [(0, book("3.7", "cost0")), (14, book("3.7", "cost")), (399, book("3.7", "cost399"))],
    "overfitting4": [(book("3.8", "epoch"), 100.0)],
    "overfitting_full": [(None, book("3.10", "test")), (None, book("3.10", "training"))],
    "regularized2": [(book("3.11", "epoch"), book("3.11", "peak"))],
    "regularized_full": [(book("3.12", "epoch"), book("3.12", "peak")), (None, book("3.13", "training"))],
    "weight_initialization_30": [(0, book("3.26", "new")), (29, book("3.25", "new")), (0, book("3.26", "old")),
                                 (29, book("3.25", "old"))],
    "weight_initialization_100": [(0, book("3.27", "new0")), (29, book("3.27", "new29")), (0, book("3.27", "old0")),
                                  (29, book("3.27", "old29"))],
    "multiple_eta": [(0, book("3.35", "0.025_first")), (29, book("3.35", "0.025_last")),
                     (book("3.35", "0.25_min_epoch"), book("3.35", "0.25_min"))],
}
