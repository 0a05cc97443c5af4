"""Plausible Chinese personal names, drawn from a seeded random stream."""

import random

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
    "许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
_GIVEN_NAMES = (
    "伟 芳 娜 敏 静 丽 强 磊 洋 艳 勇 军 杰 娟 涛 明 超 秀英 "
    "霞 平 刚 桂英 晓燕 思雨 子涵 欣怡 梓萱 浩然 宇轩 "
    "雨桐 佳怡 一诺 嘉怡 俊杰 文博 晨曦"
)
GIVEN = tuple(_GIVEN_NAMES.split())


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def people(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct names (the pool is far larger than any store's staff)."""
    chosen: list[str] = []
    while len(chosen) < count:
        name = person(rng)
        if name not in chosen:
            chosen.append(name)
    return chosen
