"""Language detection: scripts, English, other languages through the model, and too-short texts."""

from __future__ import annotations

import time

import pytest

from llmore.datasets.language import UNDETERMINED, detect_language


@pytest.mark.parametrize(("text", "language"), [
    ("How do I reset my password? I forgot it and cannot log in to my account.", "en"),
    ("The café’s “menu” is great — isn’t it? We will come back next week.", "en"),
    ("如何重置我的密码？我忘记了密码，无法登录账户。", "zh"),
    ("我們正在為客戶構建資料管道，並且每天更新訓練資料。", "zh"),
    ("使用 Python 和 PyTorch 训练 LLM 模型需要多少显存？", "zh"),
    ("パスワードをリセットするにはどうすればいいですか？", "ja"),
    ("東京は日本の首都です。", "ja"),
    ("비밀번호를 어떻게 재설정하나요?", "ko"),
    ("Comment réinitialiser mon mot de passe ? Je ne peux plus me connecter.", "fr"),
    ("Wie setze ich mein Passwort zurück? Ich kann mich nicht mehr anmelden.", "de"),
    ("¿Cómo restablezco mi contraseña? No puedo iniciar sesión.", "es"),
    ("Come posso reimpostare la mia password?", "it"),
    ("Como faço para redefinir minha senha?", "pt"),
    ("Как сбросить пароль? Я не могу войти в свою учётную запись.", "ru"),
    ("كيف يمكنني إعادة تعيين كلمة المرور الخاصة بي؟", "ar"),
    ("मैं अपना पासवर्ड कैसे रीसेट करूं?", "hi"),
    ("Καλημέρα, πώς μπορώ να αλλάξω τον κωδικό μου;", "el"),
    ("สวัสดีครับ ผมลืมรหัสผ่าน", "th"),
    ("שלום, שכחתי את הסיסמה שלי", "he"),
])
def test_languages(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize("text", ["", "   ", "ok", "12345 678", "!!! ???", "x = 1", "qzx vbnmk lkjhg pqwtz"])
def test_too_short_or_no_language_is_undetermined(text: str) -> None:
    assert detect_language(text) == UNDETERMINED


def test_a_stray_kana_does_not_make_chinese_japanese() -> None:
    assert detect_language("这家店的招牌菜是“の”字形的蛋糕，味道很好，价格也不贵。") == "zh"


def test_only_the_beginning_of_a_long_text_is_read() -> None:
    assert detect_language("这是一个很长的中文句子。" * 50 + "English " * 1000) == "zh"


def test_fast_enough_for_a_million_rows() -> None:
    """The common case (Chinese and English rows of ~200 characters) must cost a few microseconds a row."""
    english = ("The model answers questions about the weather and the data pipeline that we are building for our "
               "customers, and it explains each answer in plain words.")
    chinese = "模型回答关于天气和数据管道的问题，我们正在为客户构建这个系统，并且每天都会更新训练数据。" * 2
    texts = [english, chinese] * 5000
    started = time.perf_counter()
    for text in texts:
        detect_language(text)
    per_row = (time.perf_counter() - started) / len(texts)
    assert per_row < 50e-6  # ~5 µs measured; generous for a busy CI machine
