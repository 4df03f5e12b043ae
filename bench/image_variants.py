"""Benchmark: an image variant's first request (decode, resize, encode, store) against the
cached ones (read from storage), over Django's whole stack in this process.

Writes a photo-like JPEG (``--width`` x ``--height``, default 4000 x 3000: 12 Mpx) into a
fresh media folder, then for each transformation prints the first request's time and the
median of ``--repeat`` cached requests, with the variant's size. ``/media/`` reads no
database, so none is set up.

    .venv/bin/python bench/image_variants.py
    .venv/bin/python bench/image_variants.py --width 6000 --height 4000 --repeat 50
"""

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUERIES = [
    "w=800&fm=jpg",
    "w=800&fm=webp",
    "w=800&h=800&fit=crop&crop=focalpoint&fp-x=0.3&fp-y=0.6&fm=webp&q=70",
    "w=400&auto=format",  # AVIF for a browser that takes it
    "w=1200&dpr=2&fm=jpg",
    "w=300&h=300&fit=crop&crop=entropy",
]


def photo(width: int, height: int) -> bytes:
    """A JPEG with gradients and noise, so encoders have real work (a flat image is free)."""
    from PIL import Image

    small = Image.frombytes(
        "RGB", (width // 8, height // 8), random.randbytes(width * height // 64 * 3)
    )
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image = Image.blend(image, small.resize((width, height), Image.Resampling.BILINEAR), 0.5)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--width", type=int, default=4000)
    parser.add_argument("--height", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="cms-bench-variants-")
    os.environ["CMS_DATA_DIR"] = data_dir
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    random.seed(1)
    source = photo(args.width, args.height)
    name = "AbenchAAAAAAAAAAAAAAAA/photo.jpg"
    target = Path(settings.MEDIA_ROOT) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(source)
    client = Client()
    accept = "image/avif,image/webp,*/*"
    print(f"source: {args.width}x{args.height} JPEG, {len(source) / 1e6:.1f} MB")
    print(f"{'query':<72} {'first ms':>9} {'cached ms':>10} {'bytes':>9}")
    for query in QUERIES:
        url = f"/media/{name}?{query}"
        started = time.perf_counter()
        first = client.get(url, headers={"Accept": accept})
        first_ms = (time.perf_counter() - started) * 1000
        assert first.status_code == 200, first.content[:300]
        size = len(first.content)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            again = client.get(url, headers={"Accept": accept})
            b"".join(again.streaming_content)
            times.append((time.perf_counter() - started) * 1000)
        print(f"{query:<72} {first_ms:>9.1f} {statistics.median(times):>10.2f} {size:>9}")


if __name__ == "__main__":
    main()
