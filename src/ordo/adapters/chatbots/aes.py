"""AES-256-CBC with PKCS#7 padding, as WeCom (32-byte blocks of padding) and Feishu (16) use it."""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ordo.adapters.chatbots import BadSignature


def decrypt(key: bytes, iv: bytes, data: bytes, block: int) -> bytes:
    if not data or len(data) % 16:
        raise BadSignature("ciphertext is not whole AES blocks")
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    plain = dec.update(data) + dec.finalize()
    pad = plain[-1]
    if not 1 <= pad <= block or plain[-pad:] != bytes([pad]) * pad:
        raise BadSignature("bad padding")
    return plain[:-pad]


def encrypt(key: bytes, iv: bytes, plain: bytes, block: int) -> bytes:
    pad = block - len(plain) % block
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return enc.update(plain + bytes([pad]) * pad) + enc.finalize()
