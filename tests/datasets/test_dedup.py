"""Exact and near-duplicate detection: planted copies are found, distinct rows are left alone."""

from __future__ import annotations

import random

import numpy as np
import pytest

from llmore.datasets.dedup import (
    BATCH_ROWS,
    CJK_SHINGLE,
    OTHER_SHINGLE,
    MinHasher,
    cross_similar_pairs,
    exact_duplicate_groups,
    near_duplicate_groups,
    normalize_text,
    shingle_text,
)

ENGLISH = [
    "The quick brown fox jumps over the lazy dog near the river bank, while the farmer watches from his old "
    "wooden porch and drinks a cup of black tea.",
    "To reset your password, open the settings page, choose the security tab, click on reset password and follow "
    "the link we send to your e-mail address.",
    "Our return policy allows customers to send back any unused item within thirty days of delivery for a full "
    "refund, provided the original receipt is included.",
    "Photosynthesis is the process by which green plants use sunlight, water and carbon dioxide to produce glucose "
    "and release oxygen into the atmosphere.",
]
CHINESE = [
    "今天天气很好，我们一起去公园散步吧，顺便在路上买一些新鲜的水果和蔬菜，晚上回家以后一起做一顿丰盛的晚饭。",
    "如果您忘记了登录密码，请打开设置页面，选择账户安全，点击重置密码，然后按照我们发送到您邮箱的链接完成操作。",
    "本店的退货政策是：顾客在收到商品后的三十天内，可以退回任何未使用的商品并获得全额退款，但需要附上原始收据。",
    "光合作用是绿色植物利用阳光、水和二氧化碳制造葡萄糖并向大气中释放氧气的过程，它是地球上生命的重要基础。",
]

# (original, paraphrase) pairs that must be found.
PLANTED = [
    (ENGLISH[0], ENGLISH[0].replace("jumps", "jumped").replace("wooden", "woden")),  # small edits
    (ENGLISH[1], "Open the settings page, choose the security tab, click on reset password and follow the link we "
                 "send to your e-mail address to reset your password."),  # reordered clause
    (ENGLISH[2], ENGLISH[2].upper().replace(",", "").replace(".", "!")),  # case and punctuation
    (CHINESE[0], CHINESE[0].replace("很好", "不错")),  # small edit
    # reordered clause
    (CHINESE[1], "请打开设置页面，选择账户安全，点击重置密码，然后按照我们发送到您邮箱的链接完成操作，"
                 "如果您忘记了登录密码。"),
    (CHINESE[2], CHINESE[2].replace("，", ",").replace("：", ":").replace("。", ".")),  # half-width punctuation
]

# Same topic or template, different substance: must not be grouped.
DISTINCT = [
    ENGLISH[3],
    CHINESE[3],
    "Photosynthesis happens in chloroplasts, where chlorophyll absorbs mostly blue and red light while green light "
    "is reflected, which is why leaves look green to us.",
    "光合作用主要发生在叶绿体中，叶绿素吸收蓝光和红光而反射绿光，所以我们看到的树叶是绿色的，这与季节变化有关。",
    "To change your e-mail address, open the profile page, choose the contact tab, type the new address and "
    "confirm it with the code we send by text message.",
]


def ids_of(groups: list[list[str]]) -> list[set[str]]:
    return [set(group) for group in groups]


def true_jaccard(a: str, b: str) -> float:
    def shingles(text: str) -> set[str]:
        folded = shingle_text(text)
        cjk = sum(ord(c) >= 0x2E80 for c in folded)
        width = min(CJK_SHINGLE if 2 * cjk >= len(folded) else OTHER_SHINGLE, len(folded))
        return {folded[i:i + width] for i in range(len(folded) - width + 1)}

    left, right = shingles(a), shingles(b)
    return len(left & right) / len(left | right)


def test_exact_duplicates_ignore_case_and_spacing_and_keep_the_first() -> None:
    items = [("a", "Hello  World"), ("b", "something else"), ("c", "hello world "), ("d", "HELLO\tWORLD"),
             ("e", ""), ("f", "   "), ("g", "Something else")]
    assert exact_duplicate_groups(items) == [["a", "c", "d"], ["b", "g"]]


def test_normalize_text() -> None:
    assert normalize_text("  Straße\n\tUND  Café ") == "strasse und café"


@pytest.mark.parametrize(("original", "paraphrase"), PLANTED)
def test_planted_paraphrases_are_found(original: str, paraphrase: str) -> None:
    assert near_duplicate_groups([("keep", original), ("copy", paraphrase)], workers=0) == [["keep", "copy"]]


def test_planted_duplicates_are_found_among_distinct_rows_and_distinct_rows_are_left_alone() -> None:
    items = [(f"o{i}", original) for i, (original, _) in enumerate(PLANTED)]
    items += [(f"d{i}", text) for i, text in enumerate(DISTINCT)]
    items += [(f"p{i}", paraphrase) for i, (_, paraphrase) in enumerate(PLANTED)]
    items.insert(3, ("exact", PLANTED[0][0].lower()))
    groups = ids_of(near_duplicate_groups(items, workers=0))
    expected = [{f"o{i}", f"p{i}"} for i in range(len(PLANTED))]
    expected[0].add("exact")
    assert sorted(groups, key=sorted) == sorted(expected, key=sorted)


def test_the_row_to_keep_comes_first() -> None:
    items = [("late", "zzz filler text that is unrelated to the rest"), ("first", ENGLISH[0]),
             ("second", ENGLISH[0] + " Indeed."), ("third", ENGLISH[0].replace("fox", "cat"))]
    assert near_duplicate_groups(items, workers=0) == [["first", "second", "third"]]


def test_estimates_follow_the_true_jaccard_similarity() -> None:
    rng = random.Random(7)
    hasher = MinHasher()
    errors = []
    for text in ENGLISH + CHINESE:
        for _ in range(10):
            chars = list(text)
            for _ in range(rng.randint(1, 12)):
                chars[rng.randrange(len(chars))] = rng.choice("abcxyz的一是")
            edited = "".join(chars)
            signatures = hasher.signatures([text, edited])
            estimate = float((signatures[0] == signatures[1]).mean())
            errors.append(estimate - true_jaccard(text, edited))
    assert abs(float(np.mean(errors))) < 0.03  # unbiased
    assert float(np.max(np.abs(errors))) < 0.2  # ~0.04 standard error with 128 bins


def test_texts_without_letters_or_digits_and_short_texts() -> None:
    items = [("a", ""), ("b", "!!!"), ("c", "..."), ("d", "ok"), ("e", "OK"), ("f", "no")]
    assert near_duplicate_groups(items, workers=0) == [["d", "e"]]


def test_threshold_is_validated() -> None:
    with pytest.raises(ValueError, match="threshold"):
        near_duplicate_groups([("a", "x")], threshold=0)


def test_a_lower_threshold_groups_looser_copies() -> None:
    loose = CHINESE[0].replace("很好", "不错").replace("新鲜的", "").replace("丰盛的", "简单的")
    items = [("a", CHINESE[0]), ("b", loose)]
    assert near_duplicate_groups(items, workers=0) == []
    assert near_duplicate_groups(items, threshold=0.5, workers=0) == [["a", "b"]]


def test_cross_pairs_match_queries_against_a_reference_only() -> None:
    hasher = MinHasher()
    reference = hasher.signatures([ENGLISH[0], ENGLISH[0], CHINESE[1], ENGLISH[2]])
    queries = hasher.signatures([PLANTED[3][1], PLANTED[0][1], DISTINCT[0]])
    pairs, similarity = cross_similar_pairs(reference, queries)
    assert pairs.tolist() == [[0, 1]]  # the first reference row of the bucket, never reference-reference
    assert similarity[0] >= 0.8


def test_worker_processes_give_the_same_groups(tmp_path_factory: pytest.TempPathFactory) -> None:
    rng = random.Random(3)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 8))) for _ in range(2000)]
    texts = [" ".join(rng.choice(words) for _ in range(30)) for _ in range(BATCH_ROWS + 500)]
    for copy in range(0, len(texts), 97):
        texts[copy] = texts[copy // 2].replace("a", "A", 1) + " x"
    items = [(f"r{i}", text) for i, text in enumerate(texts)]
    alone = near_duplicate_groups(items, workers=0)
    assert len(alone) > 50
    assert near_duplicate_groups(iter(items), workers=2) == alone
