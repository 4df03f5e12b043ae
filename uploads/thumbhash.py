"""ThumbHash encoding (Evan Wallace's reference ``rgbaToThumbHash``, MIT), for placeholders.

Written here rather than installed: the PyPI ports are unmaintained, pin Pillow below 11,
or mis-encode images with transparency. Called on a thumbnail of at most 32 by 32 pixels,
where it costs a few milliseconds.
"""

import base64
import math


def _round(value: float) -> int:
    return math.floor(value + 0.5)  # JavaScript's Math.round, as the reference uses


def _encode_channel(channel: list[float], w: int, h: int, nx: int, ny: int):
    dc, ac, scale = 0.0, [], 0.0
    for cy in range(ny):
        fy = [math.cos(math.pi / h * cy * (y + 0.5)) for y in range(h)]
        cx = 0
        while cx * ny < nx * (ny - cy):
            fx = [math.cos(math.pi / w * cx * (x + 0.5)) for x in range(w)]
            total = 0.0
            # Summed term by term in the reference's order: near-zero coefficients then
            # round as the reference's do.
            for y in range(h):
                row, weight = y * w, fy[y]
                for x in range(w):
                    total += channel[row + x] * fx[x] * weight
            total /= w * h
            if cx or cy:
                ac.append(total)
                scale = max(scale, abs(total))
            else:
                dc = total
            cx += 1
    if scale:
        ac = [0.5 + 0.5 / scale * value for value in ac]
    return dc, ac, scale


def encode(w: int, h: int, rgba: bytes) -> str:
    """The base64 ThumbHash of a ``w`` by ``h`` RGBA image (each side at most 100)."""
    if not (0 < w <= 100 and 0 < h <= 100):
        raise ValueError(f"{w}x{h} doesn't fit in 100x100")
    pixels = w * h
    avg_r = avg_g = avg_b = avg_a = 0.0
    for i in range(pixels):
        alpha = rgba[i * 4 + 3] / 255
        avg_r += alpha / 255 * rgba[i * 4]
        avg_g += alpha / 255 * rgba[i * 4 + 1]
        avg_b += alpha / 255 * rgba[i * 4 + 2]
        avg_a += alpha
    if avg_a:
        avg_r, avg_g, avg_b = avg_r / avg_a, avg_g / avg_a, avg_b / avg_a
    has_alpha = avg_a < pixels
    l_limit = 5 if has_alpha else 7
    lx = max(1, _round(l_limit * w / max(w, h)))
    ly = max(1, _round(l_limit * h / max(w, h)))
    lum, p, q, a = [], [], [], []
    for i in range(pixels):
        alpha = rgba[i * 4 + 3] / 255
        r = avg_r * (1 - alpha) + alpha / 255 * rgba[i * 4]
        g = avg_g * (1 - alpha) + alpha / 255 * rgba[i * 4 + 1]
        b = avg_b * (1 - alpha) + alpha / 255 * rgba[i * 4 + 2]
        lum.append((r + g + b) / 3)
        p.append((r + g) / 2 - b)
        q.append(r - g)
        a.append(alpha)
    l_dc, l_ac, l_scale = _encode_channel(lum, w, h, max(3, lx), max(3, ly))
    p_dc, p_ac, p_scale = _encode_channel(p, w, h, 3, 3)
    q_dc, q_ac, q_scale = _encode_channel(q, w, h, 3, 3)
    landscape = w > h
    header24 = (
        _round(63 * l_dc)
        | (_round(31.5 + 31.5 * p_dc) << 6)
        | (_round(31.5 + 31.5 * q_dc) << 12)
        | (_round(31 * l_scale) << 18)
        | (int(has_alpha) << 23)
    )
    header16 = (
        (ly if landscape else lx)
        | (_round(63 * p_scale) << 3)
        | (_round(63 * q_scale) << 9)
        | (int(landscape) << 15)
    )
    hashed = [header24 & 255, (header24 >> 8) & 255, header24 >> 16, header16 & 255, header16 >> 8]
    channels = [l_ac, p_ac, q_ac]
    if has_alpha:
        a_dc, a_ac, a_scale = _encode_channel(a, w, h, 5, 5)
        hashed.append(_round(15 * a_dc) | (_round(15 * a_scale) << 4))
        channels.append(a_ac)
    start = len(hashed)
    index = 0
    for ac in channels:
        for value in ac:
            position = start + (index >> 1)
            if position == len(hashed):
                hashed.append(0)
            hashed[position] |= _round(15 * value) << ((index & 1) << 2)
            index += 1
    return base64.b64encode(bytes(hashed)).decode("ascii")
