"""Augmentation: EDA edits, typos, templates and paraphrase through a (test double) model."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from llmore.datasets.augmentation import (
    AUGMENTATION,
    AUGMENTATION_CATALOG,
    AUGMENTED_FROM,
    NoSuchDeployment,
    augment,
    check_methods,
    parse_methods,
    resolve_paraphraser,
)
from llmore.datasets.canonical import DataSchema

EN = {"_id": "en1", "prompt": "Could you explain how to fix a broken car quickly and cheaply?",
      "answer": "First check the battery, then look at the fuel pump."}
ZH = {"_id": "zh1", "prompt": "请帮我检查这段代码，告诉我为什么它运行得非常慢。",
      "answer": "因为循环里重复查询了数据库。"}
WORD_METHODS = ["synonym_replace", "random_insert", "random_delete", "random_swap", "typo_noise"]


def _new_rows(rows: list[dict], schema: DataSchema, methods: list[dict], seed: int = 1) -> list[dict]:
    return [row for row in augment(rows, schema, parse_methods(methods), seed=seed) if AUGMENTED_FROM in row]


@pytest.mark.parametrize("method", [*WORD_METHODS, "template_paraphrase"])
def test_each_method_is_deterministic_for_a_seed_and_differs_for_another(method: str) -> None:
    rows = [EN, ZH]
    spec = [{"method": method, "copies": 2, "ratio": 0.3}] if method != "template_paraphrase" else [
        {"method": method, "copies": 2}]
    first = _new_rows(rows, DataSchema.PROMPT_ANSWER, spec, seed=11)
    assert first, f"{method} made nothing"
    assert first == _new_rows(rows, DataSchema.PROMPT_ANSWER, spec, seed=11)
    others = [_new_rows(rows, DataSchema.PROMPT_ANSWER, spec, seed=seed) for seed in (12, 13, 14)]
    assert any(other != first for other in others)


def test_output_keeps_the_originals_and_names_the_new_rows() -> None:
    out = list(augment([EN, ZH], DataSchema.PROMPT_ANSWER, parse_methods([
        {"method": "synonym_replace", "copies": 2}, {"method": "random_swap"}]), seed=3))
    assert out[0] == EN
    new = [row for row in out if row.get(AUGMENTED_FROM) == "en1"]
    assert [row["_id"] for row in new] == ["en1~aug1", "en1~aug2", "en1~aug3"]
    assert [row[AUGMENTATION] for row in new] == ["synonym_replace", "synonym_replace", "random_swap"]
    assert out[len(new) + 1] == ZH
    assert len({row["_id"] for row in out}) == len(out)


@pytest.mark.parametrize("method", [*WORD_METHODS, "template_paraphrase"])
def test_answers_are_untouched_by_default(method: str) -> None:
    for row in _new_rows([EN, ZH], DataSchema.PROMPT_ANSWER, [{"method": method, "copies": 3}], seed=5):
        source = EN if row[AUGMENTED_FROM] == "en1" else ZH
        assert row["answer"] == source["answer"]
        assert row["prompt"] != source["prompt"]


def test_answers_change_only_when_asked() -> None:
    rows = _new_rows([EN], DataSchema.PROMPT_ANSWER, [{"method": "typo_noise", "side": "answer", "ratio": 0.3}])
    assert rows
    assert rows[0]["prompt"] == EN["prompt"]
    assert rows[0]["answer"] != EN["answer"]


def test_chinese_synonym_replacement_changes_chinese_text() -> None:
    rows = _new_rows([ZH], DataSchema.PROMPT_ANSWER, [{"method": "synonym_replace", "copies": 3, "ratio": 0.2}])
    assert len(rows) == 3
    for row in rows:
        assert row["prompt"] != ZH["prompt"]
        # only known synonyms came in: the text still reads as the same request
        assert row["prompt"].startswith("请帮我")
        assert row["prompt"].endswith("慢。")
    replaced = {word for row in rows for word in ("核查", "检验", "告知", "十分", "格外") if word in row["prompt"]}
    assert replaced


def test_user_synonyms_extend_the_table() -> None:
    row = {"_id": "1", "text": "退款 多久 到账", "label": "refund"}
    rows = _new_rows([row], DataSchema.CLASSIFICATION,
                     [{"method": "synonym_replace", "synonyms": {"退款": ["退钱", "返款"]}, "copies": 2}])
    assert {r["text"] for r in rows} == {"退钱 多久 到账", "返款 多久 到账"}
    assert all(r["label"] == "refund" for r in rows)


def test_english_synonyms_keep_the_case() -> None:
    rows = _new_rows([{"_id": "1", "text": "Big problems", "label": "x"}], DataSchema.CLASSIFICATION,
                     [{"method": "synonym_replace", "ratio": 0.5, "copies": 5}])
    assert all(row["text"].split()[0][0].isupper() for row in rows)
    assert any(row["text"].startswith(("Large", "Huge", "Enormous")) for row in rows)


def test_numbers_code_and_urls_are_left_alone() -> None:
    row = {"_id": "1", "prompt": "Tom has 12 apples and gives 5 away; see `apples_left = 12 - 5` at "
                                 "https://example.com/quick-start please",
           "answer": "7"}
    for new in _new_rows([row], DataSchema.PROMPT_ANSWER,
                         [{"method": method, "copies": 3, "ratio": 0.5} for method in WORD_METHODS], seed=2):
        for kept in ("12", "5", "`apples_left = 12 - 5`", "https://example.com/quick-start"):
            assert kept in new["prompt"], (new["_augmentation"], new["prompt"])


def test_typo_noise_makes_keyboard_slips_in_english_and_drops_or_doubles_in_chinese() -> None:
    en = _new_rows([{"_id": "1", "text": "keyboard", "label": "x"}], DataSchema.CLASSIFICATION,
                   [{"method": "typo_noise", "copies": 5}])
    for row in en:
        assert row["text"] != "keyboard"
        assert abs(len(row["text"]) - len("keyboard")) <= 1
    zh = _new_rows([{"_id": "2", "text": "数据库", "label": "x"}], DataSchema.CLASSIFICATION,
                   [{"method": "typo_noise", "copies": 3}])
    for row in zh:
        assert set(row["text"]) <= set("数据库")
        assert len(row["text"]) in (2, 4)


def test_random_delete_leaves_clean_spacing() -> None:
    row = {"_id": "1", "text": "one two three four five six seven eight.", "label": "x"}
    for new in _new_rows([row], DataSchema.CLASSIFICATION, [{"method": "random_delete", "ratio": 0.5, "copies": 5}]):
        assert "  " not in new["text"]
        assert not new["text"].startswith(" ")
        assert " ." not in new["text"]


@pytest.mark.parametrize(("prompt", "forms"), [
    ("Translate the sentence into French: I like tea.", {
        "Please translate the sentence into French: I like tea.",
        "Could you translate the sentence into French: I like tea.",
        "Can you translate the sentence into French: I like tea.",
        "Kindly translate the sentence into French: I like tea.",
        "I'd like you to translate the sentence into French: I like tea.",
        "I need you to translate the sentence into French: I like tea."}),
    ("Please summarize this article.", {"Summarize this article.", "Could you summarize this article.",
                                        "Can you summarize this article.", "Kindly summarize this article.",
                                        "I'd like you to summarize this article.",
                                        "I need you to summarize this article."}),
    ("What is the capital of Peru?", {"What's the capital of Peru?", "Can you tell me what the capital of Peru is?",
                                      "Could you tell me what the capital of Peru is?",
                                      "Do you know what the capital of Peru is?",
                                      "Tell me what the capital of Peru is."}),
    ("How do I reset my password?", {"How can I reset my password?", "How should I reset my password?",
                                     "What is the best way to reset my password?",
                                     "Can you tell me how to reset my password?",
                                     "Could you explain how to reset my password?"}),
    ("翻译这句话：我喜欢喝茶。", {"请翻译这句话：我喜欢喝茶。", "请帮我翻译这句话：我喜欢喝茶。",
                                  "帮我翻译这句话：我喜欢喝茶。", "麻烦你翻译这句话：我喜欢喝茶。",
                                  "能否请你翻译这句话：我喜欢喝茶。"}),
    ("什么是机器学习？", {"机器学习是什么？", "请问机器学习是什么？", "你知道机器学习是什么吗？",
                          "能告诉我机器学习是什么吗？"}),
    ("如何重置密码?", {"怎么重置密码?", "怎样才能重置密码?", "请问怎么重置密码?", "该如何重置密码?"}),
])
def test_template_paraphrase_moves_between_forms_of_one_family(prompt: str, forms: set[str]) -> None:
    made = set()
    for seed in range(12):
        made |= {row["prompt"] for row in _new_rows([{"_id": "1", "prompt": prompt, "answer": "a"}],
                                                    DataSchema.PROMPT_ANSWER,
                                                    [{"method": "template_paraphrase", "copies": 3}], seed=seed)}
    assert made
    assert made <= forms, made - forms


def test_template_paraphrase_skips_prompts_no_template_knows() -> None:
    rows = [{"_id": "1", "prompt": "The sky is blue.", "answer": "Yes."}]
    assert _new_rows(rows, DataSchema.PROMPT_ANSWER, [{"method": "template_paraphrase", "copies": 3}]) == []


def test_chat_rows_change_user_turns_only() -> None:
    row = {"_id": "c1", "messages": [
        {"role": "system", "content": "You are a very helpful assistant."},
        {"role": "user", "content": "Please explain why the sky is blue."},
        {"role": "assistant", "content": "Because of Rayleigh scattering, which is very strong for blue light."}]}
    new = _new_rows([row], DataSchema.CHAT, [{"method": "template_paraphrase"}, {"method": "synonym_replace"}])
    assert len(new) == 2
    for made in new:
        assert made["messages"][0] == row["messages"][0]
        assert made["messages"][2] == row["messages"][2]
        assert made["messages"][1]["content"] != row["messages"][1]["content"]


def test_only_training_rows_and_originals_are_augmented() -> None:
    rows = [{**EN, "_id": "t", "_split": "train"}, {**EN, "_id": "d", "_split": "test"},
            {**EN, "_id": "again", "_augmented_from": "x"}]
    out = list(augment(rows, DataSchema.PROMPT_ANSWER, parse_methods([{"method": "random_swap"}]), seed=1))
    assert [row["_id"] for row in out] == ["t", "t~aug1", "d", "again"]
    assert out[1]["_split"] == "train"
    assert out[2:] == rows[1:]


# --------------------------------------------------------------------------- paraphrase through a model


class EchoModel:
    """A test double of a deployed model: 'paraphrases' by tagging each text, and records its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], str]] = []

    def paraphrase(self, texts: list[str], *, language: str) -> list[str]:
        self.calls.append((list(texts), language))
        return [f"[{language} #{len(self.calls)}] {text}" for text in texts]


def test_llm_paraphrase_goes_through_the_resolved_model() -> None:
    model = EchoModel()
    resolved: list[tuple[str, str]] = []

    def resolver(name: str, *, prompt: str) -> EchoModel:
        resolved.append((name, prompt))
        return model

    rows = [EN, ZH, {**EN, "_id": "en2"}]
    methods = parse_methods([{"method": "llm_paraphrase", "model": "qwen-chat", "copies": 2,
                              "prompt": "Rewrite in {language}:"}])
    out = list(augment(rows, DataSchema.PROMPT_ANSWER, methods, seed=0, resolver=resolver))
    assert resolved == [("qwen-chat", "Rewrite in {language}:")]
    # one call per copy and language, each distinct text once
    assert sorted((tuple(texts), language) for texts, language in model.calls) == sorted(
        [((EN["prompt"],), "en"), ((ZH["prompt"],), "zh")] * 2)
    new = [row for row in out if AUGMENTED_FROM in row]
    assert [row["_id"] for row in new] == ["en1~aug1", "en1~aug2", "zh1~aug1", "zh1~aug2", "en2~aug1", "en2~aug2"]
    assert new[0]["prompt"].startswith("[en #")
    assert new[0]["answer"] == EN["answer"]
    assert new[2]["prompt"].startswith("[zh #")
    assert new[2]["prompt"].endswith(ZH["prompt"])


def test_llm_paraphrase_without_a_deployment_fails_clearly() -> None:
    methods = parse_methods([{"method": "random_swap"}, {"method": "llm_paraphrase", "model": "qwen-chat"}])
    with pytest.raises(NoSuchDeployment, match=r"methods\.1\.model: no deployed model named 'qwen-chat'; deploy one"):
        check_methods(methods)
    with pytest.raises(NoSuchDeployment, match="deploy one first"):
        resolve_paraphraser("qwen-chat")
    with pytest.raises(NoSuchDeployment):
        list(augment([EN], DataSchema.PROMPT_ANSWER, methods, seed=0))


def test_a_model_that_answers_the_wrong_number_of_texts_is_an_error() -> None:
    class Broken:
        def paraphrase(self, texts: list[str], *, language: str) -> list[str]:
            return []

    methods = parse_methods([{"method": "llm_paraphrase", "model": "m"}])
    with pytest.raises(ValueError, match="returned 0 paraphrases for 1 texts"):
        list(augment([EN], DataSchema.PROMPT_ANSWER, methods, seed=0, resolver=lambda name, prompt: Broken()))


# --------------------------------------------------------------------------- validation and catalog


def test_methods_are_validated_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_methods([{"method": "random_swap", "ratio": 0.9}])
    assert caught.value.errors()[0]["loc"] == (0, "random_swap", "ratio")
    with pytest.raises(ValidationError) as caught:
        parse_methods([{"method": "synonym_replace", "copies": 0}])
    assert caught.value.errors()[0]["loc"] == (0, "synonym_replace", "copies")
    with pytest.raises(ValidationError):
        parse_methods([{"method": "back_translate"}])


def test_the_catalog_describes_every_method() -> None:
    assert [entry["name"] for entry in AUGMENTATION_CATALOG] == [*WORD_METHODS, "template_paraphrase",
                                                                 "llm_paraphrase"]
    for entry in AUGMENTATION_CATALOG:
        assert entry["description"]
        assert entry["params_schema"]["properties"]["side"]["default"] == "prompt"
    llm = AUGMENTATION_CATALOG[-1]["params_schema"]
    assert llm["required"] == ["model"]
