"""Draw the PWA icons of 联企通 (web/icons/*.png) with Pillow: a blue tile with 联 in a CJK font.

Usage: .venv/bin/python scripts/make-icons.py   (needs fonts-noto-cjk for the character)
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "web" / "icons"
FONTS = ["/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"]
BLUE, WHITE = (11, 87, 176), (255, 255, 255)


def draw(size: int, maskable: bool) -> Image.Image:
    image = Image.new("RGB", (size, size), BLUE if maskable else WHITE)
    pen = ImageDraw.Draw(image)
    if not maskable:
        pen.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=BLUE)
    font_path = next((f for f in FONTS if Path(f).exists()), None)
    glyph_size = int(size * (0.46 if maskable else 0.6))
    font = ImageFont.truetype(font_path, glyph_size) if font_path else ImageFont.load_default(glyph_size)
    pen.text((size / 2, size / 2), "联", font=font, fill=WHITE, anchor="mm")
    return image


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, False).save(OUT / f"icon-{size}.png", optimize=True)
    draw(512, True).save(OUT / "icon-maskable-512.png", optimize=True)
    print("icons written to", OUT)
