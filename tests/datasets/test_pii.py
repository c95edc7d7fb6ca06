"""Personal data detection and masking: valid numbers are found, look-alikes are not."""

from __future__ import annotations

import itertools

import pytest

from llmore.datasets.pii import PII_KINDS, PLACEHOLDERS, find_pii, mask_pii

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def cn_id(first17: str) -> str:
    """A resident ID number with the right check character."""
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def found(text: str) -> list[tuple[str, str]]:
    return [(hit.kind, text[hit.start:hit.end]) for hit in find_pii(text)]


VALID_ID = cn_id("11010519491231002")  # ends in X
VALID_ID_2 = cn_id("44030420000229123")  # born on 29 February 2000


@pytest.mark.parametrize("number", [VALID_ID, VALID_ID_2, VALID_ID.lower()])
def test_valid_chinese_ids_are_found(number: str) -> None:
    assert found(f"身份证号：{number}，请核对。") == [("cn_id", number)]


@pytest.mark.parametrize("number", [
    VALID_ID[:-1] + ("1" if VALID_ID[-1] != "1" else "2"),  # wrong check character
    cn_id("11010519490230002"),  # 30 February: no such date
    cn_id("11010521000101002"),  # born in the 22nd century
    "123456789012345678",  # random 18 digits
])
def test_invalid_chinese_ids_are_not_ids(number: str) -> None:
    assert all(kind != "cn_id" for kind, _ in found(f"编号 {number} 已登记"))


def test_an_id_inside_a_longer_number_is_not_an_id() -> None:
    assert found(f"9{VALID_ID}9") == []


@pytest.mark.parametrize(("text", "number"), [
    ("我的手机号是13812345678，谢谢", "13812345678"),
    ("call +86 139-1234-5678 now", "+86 139-1234-5678"),
    ("电话：+8615012345678", "+8615012345678"),
    ("phone 0086 186 1234 5678", "0086 186 1234 5678"),
    ("Tel 199 8765 4321.", "199 8765 4321"),
    ("Call (415) 555-2671 today", "(415) 555-2671"),
    ("London office: +44 20 7946 0958.", "+44 20 7946 0958"),
    ("北京总机 010-12345678", "010-12345678"),
])
def test_phone_numbers_are_found(text: str, number: str) -> None:
    assert found(text) == [("phone", number)]


@pytest.mark.parametrize("text", [
    "订单号 12812345678",  # 12x is not a mobile prefix
    "ticket 1381234567890",  # too many digits for a mobile
    "+1 000 000 0000",  # not a valid number plan
    "in 2024 we trained 3 models for 128 hours",
])
def test_numbers_that_are_not_phones(text: str) -> None:
    assert all(kind != "phone" for kind, _ in found(text))


@pytest.mark.parametrize(("text", "email"), [
    ("write to zhang.san@example.com.", "zhang.san@example.com"),
    ("联系邮箱：li_si+news@mail.example.cn。", "li_si+news@mail.example.cn"),
])
def test_emails_are_found(text: str, email: str) -> None:
    assert found(text) == [("email", email)]


@pytest.mark.parametrize("text", ["user@localhost", "a @ b.com", "see @username on the forum"])
def test_things_that_are_not_emails(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize("card", ["4111 1111 1111 1111", "4111-1111-1111-1111", "5500005555555559",
                                  "3782 822463 10005", "6212345678901232"])
def test_cards_passing_luhn_are_found(card: str) -> None:
    assert found(f"card: {card}.") == [("credit_card", card)]


@pytest.mark.parametrize("number", ["4111 1111 1111 1112", "1234567812345678", "9111111111111110", "0000000000000000"])
def test_card_like_numbers_failing_luhn_or_issuer_prefix_are_not_cards(number: str) -> None:
    assert all(kind != "credit_card" for kind, _ in found(f"ref {number}"))


def test_ip_addresses_are_found_and_versions_are_not() -> None:
    text = "server 192.168.1.10, gateway fe80::1, docs 2001:db8::8a2e:370:7334; version 1.2.3; std::vector"
    assert found(text) == [("ip_address", "192.168.1.10"), ("ip_address", "fe80::1"),
                           ("ip_address", "2001:db8::8a2e:370:7334")]
    assert found("999.1.1.1 and 12:30:45") == []


def test_mask_replaces_every_kind_with_its_placeholder() -> None:
    text = f"张三 13812345678 zhang@example.com {VALID_ID} 4111111111111111 10.0.0.1"
    assert mask_pii(text) == "张三 [PHONE] [EMAIL] [ID] [CARD] [IP]"
    assert set(PLACEHOLDERS) == set(PII_KINDS)


def test_mask_only_the_kinds_asked_for() -> None:
    text = "mail a@example.com or call 13812345678"
    assert mask_pii(text, kinds=["phone"]) == "mail a@example.com or call [PHONE]"
    assert mask_pii(text, kinds=[]) == text
    with pytest.raises(ValueError, match="unknown PII kind"):
        mask_pii(text, kinds=["ssn"])


def test_hits_are_ordered_and_do_not_overlap() -> None:
    text = f"{VALID_ID} then 13812345678 then a@b.co"
    hits = find_pii(text)
    assert [hit.kind for hit in hits] == ["cn_id", "phone", "email"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(hits))


def test_clean_text_has_no_hits() -> None:
    assert find_pii("今天天气很好。The model was trained for 3 epochs on 2024-05-01 at 3.5 it/s.") == []
