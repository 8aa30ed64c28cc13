"""Draws the brand images Home Assistant shows for Moogo (custom_components/moogo/brand).

Run inside the environment: scripts/run 'python scripts/make_brand.py'.
Every image is drawn from the same shapes at its own size (never scaled up
from a smaller one): a water drop with a highlight and four mist droplets,
and for the logos the word "Moogo" beside it. Teal on transparent reads on
light and dark themes alike, so no dark variants are needed.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BRAND = Path(__file__).resolve().parents[1] / "custom_components" / "moogo" / "brand"
TEAL = (0, 151, 167, 255)
LIGHT_TEAL = (77, 182, 196, 255)
WHITE = (255, 255, 255, 255)
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
# Drawn this many times larger, then reduced: smooth edges without aliasing.
SUPERSAMPLE = 4


def _draw_drop(draw: ImageDraw.ImageDraw, left: float, top: float, size: float) -> None:
    """Draw the drop and its droplets inside a size x size square at (left, top)."""
    unit = size / 256
    cx, cy, radius = left + 128 * unit, top + 148 * unit, 70 * unit
    tip = (cx, top + 30 * unit)
    # The tangents from the tip to the circle make the drop's straight sides.
    distance = cy - tip[1]
    angle = math.asin(radius / distance)
    side = math.sqrt(distance**2 - radius**2)
    right, left_side = (
        (cx + sign * side * math.sin(angle), tip[1] + side * math.cos(angle))
        for sign in (1, -1)
    )
    draw.polygon([right, tip, left_side], fill=TEAL)
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=TEAL)
    highlight = 14 * unit
    hx, hy = left + 104 * unit, top + 160 * unit
    draw.ellipse(
        (hx - highlight, hy - highlight, hx + highlight, hy + highlight), fill=WHITE
    )
    for x, y in ((40, 60), (30, 120), (216, 70), (226, 130)):
        dot = 9 * unit
        px, py = left + x * unit, top + y * unit
        draw.ellipse((px - dot, py - dot, px + dot, py + dot), fill=LIGHT_TEAL)


def icon(size: int) -> Image.Image:
    """Draw the square icon."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    _draw_drop(ImageDraw.Draw(image), 0, 0, big)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def logo(height: int) -> Image.Image:
    """Draw the drop followed by the name; logo@2x is exactly twice logo's size."""
    big = height * SUPERSAMPLE
    font = ImageFont.truetype(str(FONT), int(big * 0.5))
    left, top, _right, bottom = font.getbbox("Moogo")
    gap = int(big * 0.08)
    # Measured at the 1x height, so both sizes share one aspect ratio.
    reference = ImageFont.truetype(str(FONT), int(128 * SUPERSAMPLE * 0.5))
    name_width = reference.getlength("Moogo") / SUPERSAMPLE
    width = (height // 128) * (128 + 10 + math.ceil(name_width) + 16)
    image = Image.new("RGBA", (width * SUPERSAMPLE, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    _draw_drop(draw, 0, 0, big)
    text_y = (big - (bottom - top)) / 2 - top
    draw.text((big + gap - left, text_y), "Moogo", font=font, fill=TEAL)
    return image.resize((width, height), Image.Resampling.LANCZOS)


def main() -> None:
    """Write icon, icon@2x, logo and logo@2x."""
    BRAND.mkdir(parents=True, exist_ok=True)
    images = {
        "icon.png": icon(256),
        "icon@2x.png": icon(512),
        "logo.png": logo(128),
        "logo@2x.png": logo(256),
    }
    for name, image in images.items():
        image.save(BRAND / name, optimize=True)
        print(f"{name}: {image.width}x{image.height}")


if __name__ == "__main__":
    main()
