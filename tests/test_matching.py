"""Key-point grading: forgiving of how people type, strict about what they claim."""

from __future__ import annotations

from dlquiz.matching import coverage, rating_for
from dlquiz.model import KeyPoint
from dlquiz.scheduler import Rating

POINTS = (
    KeyPoint("downsamples each feature map", ("reduces spatial size",)),
    KeyPoint("max or average"),
    KeyPoint("no learned weights", ("no parameters",)),
)


def covered(typed: str, points: tuple[KeyPoint, ...] = POINTS, question: str = "") -> list[bool]:
    return coverage(typed, points, question).flags


def says(typed: str, point: str, *alternatives: str, question: str = "") -> bool:
    return covered(typed, (KeyPoint(point, alternatives),), question)[0]


# --- forgiving of form -------------------------------------------------------------------------


def test_case_punctuation_and_word_order_do_not_matter() -> None:
    assert covered("Feature-map: EACH ONE it DOWNSAMPLES!") == [True, False, False]


def test_plurals_and_small_typos_are_forgiven() -> None:
    assert covered("it downsampels each feature maps, using the maximum or averages") == [
        True,
        True,
        False,
    ]
    assert covered("downsample each featur map; max or average; no learnd weight") == [
        True,
        True,
        True,
    ]


def test_alternatives_count_and_the_words_that_said_them_are_reported() -> None:
    result = coverage("it reduces the spatial size and has no parameters", POINTS)
    assert result.flags == [True, False, True]
    assert result.points[0].matched == "reduces spatial size"
    assert result.points[0].evidence == "reduces spatial size"
    assert result.points[1].looked_for == ("max or average",)


def test_or_in_a_phrasing_means_either() -> None:
    assert says("trained on TPUs", "trained on GPUs or TPUs")
    assert says("it is trained on GPUs", "trained on GPUs or TPUs")
    assert not says("trained on CPUs", "trained on GPUs or TPUs")


def test_function_words_and_fillers_are_never_required() -> None:
    assert says("the learning rate sets the size of each step", "learning rate sets step size")
    assert says("they are ensemble methods", "both ensemble methods")


def test_word_forms_and_the_synonyms_key_points_use_meet() -> None:
    assert says("the weights are shared; training is stopped early", "weight sharing")
    assert says("it is less interpretable", "interpretability is lower")
    assert says("dropout lowers overfitting", "reduces overfitting")
    assert says("both outputs are the same", "outputs identical")
    assert says("a branch of machine learning", "subfield of machine learning")
    assert says("a single perceptron fails to learn XOR", "cannot learn XOR")


def test_the_fields_abbreviations_count_both_ways() -> None:
    assert says("a subset of ML", "subset of machine learning")
    assert says("convolutional neural networks share their weights", "CNNs share weights")
    assert says("trained with SGD", "stochastic gradient descent")
    assert says("NNs with many layers", "neural networks with many layers")
    assert says("used in CV", "used in computer vision")
    assert says("conv then FC layers", "convolution then fully connected layers")
    assert says("init the params randomly", "initialize the parameters randomly")
    assert says("needs more mem", "needs more memory")
    # an abbreviation says its own words only: "ML" is not "deep learning"
    assert not says("ML", "deep learning")


def test_notation_counts() -> None:
    assert says("access by index is O(1)", "constant time access by index")
    assert says("insert in the middle is O(n)", "insertion is linear time")
    assert says("w -= lr*grad", "w minus learning rate times gradient")
    assert says("f(x) = x*sigmoid(beta*x)", "x times sigmoid of beta x")
    assert says("input -> hidden -> output", "input to output")


def test_digits_and_single_letters_are_kept() -> None:
    assert not says("I used TensorFlow", "TensorFlow 2 is eager")
    assert says("TensorFlow 2 is eager by default", "TensorFlow 2 is eager")
    assert not says("supervised means learning from labels", "k-means clustering")
    assert says("k-means clustering of the points", "k-means clustering")


# --- strict about what is claimed ----------------------------------------------------------------


def test_a_negated_claim_does_not_count() -> None:
    assert not says("it is not used in computer vision", "used in computer vision")
    assert not says("there is no generator, so no mode collapse", "prone to mode collapse")
    assert not says("gradients never vanish", "gradients vanish")
    assert not says("it doesnt generalize", "generalizes well")
    assert says("it learns features instead of rules", "learns features")
    assert not says("it uses rules instead of learned features", "uses learned features")


def test_a_negative_point_needs_a_negation() -> None:
    assert says("pooling has no weights to learn", "no learned weights")
    assert says("its weights are not learned", "no learned weights")
    assert not says("its weights are learned", "no learned weights")


def test_a_claim_counts_only_when_said_of_its_subject() -> None:
    question = "What are the differences between bagging and boosting?"
    points = (
        KeyPoint("bagging trains models independently"),
        KeyPoint("boosting trains models sequentially"),
    )
    right = "bagging trains the models independently, while boosting trains models sequentially"
    swapped = "bagging builds models sequentially, boosting trains them independently"
    assert covered(right, points, question) == [True, True]
    assert covered(swapped, points, question) == [False, False]
    padding = "What is the difference between valid and same padding?"
    zeros = (
        KeyPoint("valid padding adds no padding"),
        KeyPoint("same padding adds zeros around the input"),
    )
    assert covered("same padding adds zeros around the input", zeros, padding) == [False, True]
    assert covered("valid padding adds zeros around the input, same uses none", zeros, padding) == [
        False,
        False,
    ]


def test_each_modifier_stays_with_its_own_word() -> None:
    assert says("it has low bias and high variance", "low bias, high variance")
    assert not says("it has high bias and low variance", "low bias, high variance")
    assert not says("O(1) indexing, O(n) insertion", "insertion is O(1)")


def test_typos_never_turn_a_word_into_its_opposite() -> None:
    assert not says("it uses unlabeled data", "uses labeled data")
    assert not says("you unfreeze the top layers", "freezing layers")
    assert says("it uses labelled data", "uses labeled data")


def test_the_questions_own_words_earn_nothing() -> None:
    question = "What do you mean by the ReLU function?"
    point = KeyPoint("rectified linear unit")
    assert covered("relu is a function", (point,), question) == [False]
    assert covered("ReLU stands for rectified linear unit", (point,), question) == [True]


# --- wrong claims, abstaining and the suggestion --------------------------------------------------


def test_a_known_wrong_claim_contradicts_its_point() -> None:
    points = (
        KeyPoint("dropout is off at test time", contradicts=("dropout is applied at test time",)),
        KeyPoint("randomly zeroes units"),
    )
    result = coverage("dropout is still applied at test time", points)
    assert result.flags == [False, False]
    assert result.points[0].contradicted == "dropout is applied at test time"
    assert result.points[0].contradiction == "dropout applied test time"
    assert result.suggested == Rating.Again


def test_right_and_wrong_claims_together_leave_the_rating_to_the_learner() -> None:
    points = (
        KeyPoint("randomly zeroes units"),
        KeyPoint("regularizes the network"),
        KeyPoint("dropout is off at test time", contradicts=("dropout is applied at test time",)),
        KeyPoint("reduces co-adaptation"),
    )
    typed = (
        "it randomly zeroes units, which regularizes the network and reduces co-adaptation; "
        "dropout is applied at test time too"
    )
    result = coverage(typed, points)
    assert result.suggested is None
    assert result.reason == "right and wrong claims side by side"


def test_a_wrong_claim_beside_bare_names_suggests_again() -> None:
    # the right points are said only by naming them; the wrong claim outweighs a mention
    points = (
        KeyPoint("convolution layers", ("conv",)),
        KeyPoint("pooling layers", ("pooling",)),
        KeyPoint("dense layers at the end", ("dense",)),
        KeyPoint("pooling has no weights", contradicts=("pooling learns filters",)),
    )
    typed = "conv, pooling and dense; the pooling learns the filters"
    result = coverage(typed, points)
    assert result.flags == [True, True, True, False]
    assert result.points[3].contradicted == "pooling learns filters"
    assert result.suggested == Rating.Again
    # said as claims, the same three points leave the outcome in doubt
    typed = (
        "convolution layers, then pooling layers, and dense layers at the end; "
        "the pooling learns the filters"
    )
    assert coverage(typed, points).suggested is None


def test_a_wrong_claim_stays_within_one_part_of_an_and() -> None:
    point = KeyPoint("relu for hidden layers", contradicts=("relu at the output layer",))
    right = "relu for hidden and softmax for output layer"
    assert coverage(right, (point,)).points[0].contradicted is None
    assert coverage("relu is used at the output layer", (point,)).points[0].contradicted
    # a shared verb still carries over: "remove dropout and regularization"
    fix = KeyPoint("add regularization", contradicts=("remove regularization",))
    assert coverage("remove dropout and regularization", (fix,)).points[0].contradicted
    # and so does a shared subject: "vision and speech run on rules"
    field = KeyPoint("speech is learned end to end", contradicts=("speech runs on rules",))
    typed = "vision and speech still run on rules"
    assert coverage(typed, (field,)).points[0].contradicted


def test_a_long_answer_that_matches_little_is_not_failed() -> None:
    typed = (
        "you take the map and keep only one number per little two by two tile, chosen as the "
        "strongest response or the mean response, so the grid gets coarser while the set of "
        "channels stays the same and nothing in that step is ever trained or adjusted at all"
    )
    result = coverage(typed, POINTS)
    assert result.suggested is None
    assert "other words" in result.reason


def test_suggested_rating_follows_coverage() -> None:
    assert (
        coverage("downsamples each feature map, max or average, no parameters", POINTS).suggested
        == Rating.Good
    )
    assert coverage("reduces spatial size with max or average", POINTS).suggested == Rating.Hard
    assert coverage("no idea", POINTS).suggested == Rating.Again
    assert [rating_for(c, 4) for c in range(5)] == [
        Rating.Again,
        Rating.Again,
        Rating.Hard,
        Rating.Hard,
        Rating.Good,
    ]


def test_split_and_joined_compounds_match() -> None:
    points = (KeyPoint("mini-batch gradient descent"),)
    assert covered("minibatch gradient descent", points) == [True]
    assert covered("mini batch gradient descent", points) == [True]


def test_negation_ends_with_its_clause_and_a_condition_is_not_a_negation() -> None:
    assert says("it has no weights and gives some translation invariance", "translation invariance")
    assert says(
        "without it, stacked linear layers collapse into one", "linear layers collapse into one"
    )


def test_light_verbs_are_not_required() -> None:
    assert says("deep learning: lots of data, GPUs", "needs lots of data")


def test_a_sentence_opening_with_a_pronoun_keeps_its_subject() -> None:
    question = "How does deep learning differ from classical machine learning?"
    points = (
        KeyPoint("deep learning is hard to interpret"),
        KeyPoint("classical machine learning is easier to interpret"),
    )
    typed = "Deep learning is a subfield. It is easier to interpret than classical ML."
    assert covered(typed, points, question) == [False, False]


def test_the_fields_formulas_say_their_names() -> None:
    assert says("squash with 1/(1+e^-x) to get a probability", "sigmoid gives a probability")
    assert says("(e^x - e^-x)/(e^x + e^-x) keeps states bounded", "tanh keeps states bounded")
    assert says("exp(z_i)/sum_j exp(z_j) turns scores into a distribution", "softmax distribution")
    assert says("add lambda*||w||^2 to the loss", "L2 norm of the weights")
    assert says("compute d(loss)/d(w) for each weight", "gradient for each weight")
    # the function applied keeps its name: "y = softmax(Wh + b)" still says softmax
    assert says("y_hat = softmax(W h + b)", "softmax gives the prediction")
    assert not says("1/(1+x) gives a probability", "sigmoid gives a probability")


def test_shorthand_of_terse_answers_is_read() -> None:
    assert says("nodes + next ptrs", "nodes with pointers")
    assert says("compare preds with targets", "compare predictions with targets")
    assert says("the error is y - yhat", "error of the prediction")
    assert says("a model already trained on ImageNet", "pretrained model")
    assert says("one or more intermediate layers", "hidden layers")
    # "= SiLU" opening a clause says it equals SiLU; a formula's "=" does not
    assert says("x*sigmoid(x), = SiLU", "same as SiLU")
    assert not says("y = SiLU(x) + 1", "same as SiLU")


def test_a_relative_clause_says_its_claim_of_the_word_before() -> None:
    point = KeyPoint(
        "denoising restores the clean input", contradicts=("denoising adds noise to its output",)
    )
    typed = "denoising, which adds noise to its output"
    assert coverage(typed, (point,)).points[0].contradicted
    # a plain list keeps its items apart
    assert not coverage("denoising, output layers, noise", (point,)).points[0].contradicted


def test_words_shared_across_an_and_keep_the_claims_order() -> None:
    point = KeyPoint("relu for hidden layers", contradicts=("softmax for hidden layers",))
    typed = "relu for the hidden layers and softmax at the output"
    result = coverage(typed, (point,))
    assert result.points[0].contradicted is None
    assert result.flags == [True]


def test_a_long_answer_saying_every_point_but_one_suggests_good() -> None:
    typed = (
        "pooling downsamples each feature map: it slides a little window across every channel "
        "and keeps the max or average of what falls inside, so later layers work on a coarser "
        "grid, see a wider part of the picture for the same cost, and care less about exactly "
        "where in the picture a pattern showed up"
    )
    result = coverage(typed, POINTS)
    assert result.flags == [True, True, False]
    assert result.suggested == Rating.Good
    assert "every point but one" in result.reason
    # a short answer missing the same point is Hard, as the app's rule says
    assert coverage("downsamples each feature map, max or average", POINTS).suggested == Rating.Hard


# --- terse, keyword-style answers ---------------------------------------------------------------


def test_w_slash_and_w_slash_o_are_with_and_without_not_weights() -> None:
    # "w/o" negates what follows, as "without" does; "w/" says nothing about weights
    assert says("trained w/o labels", "no labels", "without labels")
    assert not says("trained w/ labels", "no labels", "without labels")
    assert not says("drop units w/ prob p", "weights updated")
    assert says("ReLU: no vanishing grad b/c slope 1 for x>0", "gradient does not vanish")


def test_an_arrow_reads_as_leads_to_and_ends_a_negation() -> None:
    # "no BN -> unstable training": the arrow ends what the "no" denies
    assert says("no BN -> unstable training", "unstable training")
    assert not says("no BN -> unstable training", "batch normalization used")
    assert says("high LR -> loss diverges", "high learning rate makes loss diverge")


def test_the_error_term_of_an_update_rule_reads_as_error() -> None:
    rule = ("update weights by the error", "w plus lr error x")
    assert says("w += lr(y-yhat)x", *rule)
    assert says("w += lr (y − ŷ) x, repeat", *rule)
    assert says("w += lr*(yhat - y)*x", *rule)
    assert not says("w += lr*x*y", *rule)


def test_a_colon_list_says_its_items_of_the_word_before_the_colon() -> None:
    points = (
        KeyPoint("batch slow", ("batch is slow",)),
        KeyPoint("stochastic fast", ("SGD fast",)),
    )
    assert covered("batch: all data, exact grad, slow; SGD: 1 sample, noisy, fast", points) == [
        True,
        True,
    ]
    # each item keeps its own subject: swapped, neither is said
    assert covered("batch: all data, fast; SGD: 1 sample, noisy, slow", points) == [False, False]


def test_field_shorthand_of_notes_is_read() -> None:
    assert says("L2 reg + early stop", "regularization")
    assert says("10 ep, val acc plateaus", "validation accuracy per epoch")
    assert says("hparams: LR, bs", "hyperparameters")
    assert says("LR ↑ -> loss ↑", "loss increases")


def test_an_abbreviation_says_its_whole_term_not_one_word_of_it() -> None:
    # "DL" is deep learning: it says "machine learning"'s sibling, not the verb "learns"
    question = "How does deep learning differ from machine learning?"
    assert not says("DL: features, small data", "learns features", question=question)
    assert says("DL: learns features from raw pixels", "learns features", question=question)
    assert says("DL is a subset of ML", "subset of machine learning", question=question)
