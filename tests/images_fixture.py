#!/usr/bin/python3
"""images_fixture.py - tests/images.sh's folders, built with Pillow.

  images_fixture.py build DIR      make DIR/classes (3 class folders), DIR/flat,
                                   DIR/bad/*, DIR/empty from Fashion-MNIST
  images_fixture.py expect DIR C H W OUT.u8   the (n, C, H, W) bytes Pillow makes
                                   of DIR/flat (sorted, convert, BILINEAR resize,
                                   centre crop), as imgdump writes them
  images_fixture.py compare A.u8 B.u8 TOL   max and mean absolute difference;
                                   exit 1 when max > TOL
  images_fixture.py bombs DIR      DIR/scans/a.jpg: a progressive 4096x4096 JPEG whose
                                   last scan is repeated 20,000 times; DIR/chunk/a.png:
                                   a 1x1 PNG declaring a 2 GiB iTXt chunk
Exit status 77 (skip) when PIL or the data set is missing.
"""
import gzip, os, struct, sys

try:
    from PIL import Image
except ImportError:
    sys.exit(77)

MNIST = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
LABELS = "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz"


def mnist(n):
    if not os.path.exists(MNIST):
        sys.exit(77)
    with gzip.open(MNIST, "rb") as f:
        _, count, h, w = struct.unpack(">IIII", f.read(16))
        data = f.read(n * h * w)
    with gzip.open(LABELS, "rb") as f:
        f.read(8)
        labels = f.read(n)
    return [Image.frombytes("L", (w, h), data[i * h * w:(i + 1) * h * w]) for i in range(n)], labels


SIZES = [(28, 28), (40, 33), (57, 90), (100, 64), (23, 31), (120, 120), (31, 17)]


def variant(img, i):
    """Image i in one of the modes L, RGB, RGBA, P at one of the sizes."""
    size = SIZES[i % len(SIZES)]
    g = img.resize(size, Image.BICUBIC)
    mode = ["L", "RGB", "RGBA", "P"][i % 4]
    if mode == "L":
        return g
    # a tint so the colour channels differ
    r = g.point(lambda v: min(255, v + 40))
    b = g.point(lambda v: v // 2)
    rgb = Image.merge("RGB", (r, g, b))
    if mode == "RGB":
        return rgb
    if mode == "RGBA":
        a = g.point(lambda v: 255 if v > 60 else (v * 3))
        return Image.merge("RGBA", (r, g, b, a))
    return rgb.convert("P", palette=Image.ADAPTIVE, colors=64)


def save(im, path, i):
    if path.endswith(".jpg") and im.mode in ("RGBA", "P"):
        im = im.convert("RGB")
    if path.endswith(".jpg"):
        im.save(path, quality=90)
    else:
        im.save(path)


def build(root):
    imgs, labels = mnist(300)
    os.makedirs(root + "/flat/sub", exist_ok=True)
    os.makedirs(root + "/empty/nothing", exist_ok=True)
    open(root + "/empty/nothing/readme.txt", "w").write("not an image\n")
    names = ["coat", "dress", "trouser"]          # labels 4, 3, 1 of Fashion-MNIST
    want = {4: "coat", 3: "dress", 1: "trouser"}
    for n in names:
        os.makedirs(root + "/classes/" + n + "/deeper", exist_ok=True)
    k = 0
    for i, (im, lab) in enumerate(zip(imgs, labels)):
        ext = ".jpg" if i % 3 == 0 else ".png"
        v = variant(im, i)
        # flat: 120 files, some in a subfolder; JPEG and PNG
        if i < 120:
            sub = "/sub" if i % 5 == 0 else ""
            save(v, "%s/flat%s/img%03d%s" % (root, sub, i, ext), i)
        if lab in want:
            sub = "/deeper" if k % 7 == 0 else ""
            save(v, "%s/classes/%s%s/f%03d%s" % (root, want[lab], sub, i, ext), i)
            k += 1
    # a file of another type is ignored
    open(root + "/flat/notes.txt", "w").write("ignored\n")
    # 16-bit gray PNG
    im16 = Image.new("I;16", (30, 30))
    im16.putdata([(x * 2000) % 65536 for x in range(900)])
    im16.save(root + "/flat/zz16bit.png")
    # bad files, each in its own folder beside two good ones
    bad = {
        "notimage": lambda p: open(p, "wb").write(b"hello, this is text\n" * 10),
        "zero": lambda p: open(p, "wb").close(),
        "truncpng": lambda p: open(p, "wb").write(png_bytes(imgs[0], 60)[:300]),
        "truncjpg": lambda p: open(p, "wb").write(jpg_bytes(imgs[1].resize((200, 200)))[:700]),
        "huge": lambda p: open(p, "wb").write(huge_png()),
    }
    for name, make in bad.items():
        d = "%s/bad/%s" % (root, name)
        os.makedirs(d, exist_ok=True)
        imgs[2].save(d + "/a.png")
        imgs[3].save(d + "/c.png")
        make(d + "/b" + (".jpg" if name == "truncjpg" else ".png"))


def png_bytes(im, size):
    import io
    b = io.BytesIO()
    im.resize((size, size)).save(b, "PNG")
    return b.getvalue()


def jpg_bytes(im):
    import io
    b = io.BytesIO()
    im.save(b, "JPEG", quality=95)
    return b.getvalue()


def huge_png():
    """A valid PNG header claiming 100000 x 100000 pixels (no data)."""
    import zlib
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")


def files(d):
    """Image files under d, folder by folder in sorted (byte) order."""
    out = []
    for name in sorted(os.listdir(d), key=lambda s: s.encode()):
        if name.startswith("."):
            continue
        p = os.path.join(d, name)
        if os.path.isdir(p):
            out += files(p)
        elif name.lower().endswith((".png", ".jpg", ".jpeg")):
            out.append(p)
    return out


def to_mode(im, C, bg=255):
    """The loader's documented conversion, through Pillow."""
    if im.mode in ("I", "I;16"):   # 16-bit gray: scaled to 8 bits, rounded
        im = Image.frombytes("L", im.size, bytes((int(v) * 255 + 32767) // 65535 for v in im.getdata()))
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    if im.mode in ("RGBA", "LA"):
        base = im.convert("RGBA")
        px = list(base.getdata())
        comp = [tuple((c * a + bg * (255 - a) + 127) // 255 for c in p[:3]) for p in px
                for a in [p[3]]]
        im = Image.new("RGB", im.size)
        im.putdata(comp)
    if C == 1:
        return im.convert("L")
    return im.convert("RGB")


def expect(d, C, H, W, out):
    buf = bytearray()
    for p in files(d):
        im = to_mode(Image.open(p), C)
        w, h = im.size
        if w * H >= h * W:
            rh, rw = H, max(W, round(w * H / h))
        else:
            rw, rh = W, max(H, round(h * W / w))
        r = im.resize((rw, rh), Image.BILINEAR)
        x0, y0 = (rw - W) // 2, (rh - H) // 2
        r = r.crop((x0, y0, x0 + W, y0 + H))
        if C == 1:
            buf += r.tobytes()
        else:
            for band in r.split():
                buf += band.tobytes()
    open(out, "wb").write(buf)


def compare(a, b, tol):
    x, y = open(a, "rb").read(), open(b, "rb").read()
    if len(x) != len(y):
        print("sizes differ: %d and %d bytes" % (len(x), len(y)))
        return 1
    d = [abs(p - q) for p, q in zip(x, y)]
    mx, mean = max(d), sum(d) / len(d)
    print("max %d mean %.4f (over %d values)" % (mx, mean, len(d)))
    return 0 if mx <= tol and mean < 0.1 else 1


def bombs(root):
    import io, zlib
    os.makedirs(os.path.join(root, "scans"), exist_ok=True)
    os.makedirs(os.path.join(root, "chunk"), exist_ok=True)
    b = io.BytesIO()
    Image.new("L", (4096, 4096), 128).save(b, "JPEG", progressive=True, quality=50)
    j = b.getvalue()
    # the last SOS segment: from its marker up to EOI (FF D9 at the end)
    last = j.rfind(b"\xff\xda")
    scan = j[last:-2]
    with open(os.path.join(root, "scans", "a.jpg"), "wb") as f:
        f.write(j[:-2] + scan * 20000 + b"\xff\xd9")
    def chunk(t, d, length=None):
        n = len(d) if length is None else length
        return struct.pack(">I", n) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    png += chunk(b"iTXt", b"k\0\0\0\0\0" + b"x" * 64, 0x7ffffff0)
    with open(os.path.join(root, "chunk", "a.png"), "wb") as f:
        f.write(png)

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "build":
        build(sys.argv[2])
    elif cmd == "expect":
        expect(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
    elif cmd == "compare":
        sys.exit(compare(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    elif cmd == "bombs":
        bombs(sys.argv[2])
