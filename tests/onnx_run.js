// onnx_run.js - run an ONNX model exported by `ganrun export` in ONNX Runtime
// (onnxruntime-node) and compare its output with ganrun's.
//   node onnx_run.js MODEL.onnx Z.npy EXPECTED.npy [LABELS.csv]
// Z.npy (N, dim) float32 is fed as z (and the labels, one per line, as the
// int64 input `label`); prints "max_abs_diff D shape S" and exits 0, or 1
// when the output's shape differs from EXPECTED.npy's.  Exit 77 when
// onnxruntime-node cannot be loaded (the test then skips).
'use strict';
const fs = require('fs');
let ort;
try {
    ort = require('onnxruntime-node');
} catch (e) {
    console.error('onnxruntime-node not available: ' + e.message);
    process.exit(77);
}

// a little-endian float32 C-order .npy file -> {shape, data}
function readNpy(path) {
    const b = fs.readFileSync(path);
    if (b.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(path + ': not an .npy file');
    const major = b[6];
    const hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
    const start = major === 1 ? 10 : 12;
    const header = b.toString('latin1', start, start + hlen);
    if (!/'descr': '<f4'/.test(header) || !/'fortran_order': False/.test(header))
        throw new Error(path + ': expected float32 C order, got ' + header);
    const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').filter(s => s.trim()).map(Number);
    const off = start + hlen;
    const data = new Float32Array(b.buffer.slice(b.byteOffset + off, b.byteOffset + b.length));
    return { shape, data };
}

async function main() {
    const [model, zpath, xpath, lpath] = process.argv.slice(2);
    const z = readNpy(zpath), want = readNpy(xpath);
    const feeds = { z: new ort.Tensor('float32', z.data, z.shape) };
    if (lpath) {
        const ys = fs.readFileSync(lpath, 'utf8').split('\n').filter(s => s.trim()).map(s => BigInt(s.trim()));
        feeds.label = new ort.Tensor('int64', BigInt64Array.from(ys), [ys.length]);
    }
    const session = await ort.InferenceSession.create(model);
    const out = (await session.run(feeds)).x;
    let m = 0;
    for (let i = 0; i < out.data.length; i++) {
        const d = Math.abs(out.data[i] - want.data[i]);
        if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
    }
    console.log('max_abs_diff ' + m + ' shape ' + out.dims.join('x') + ' inputs ' + session.inputNames.join(','));
    if (out.dims.join('x') !== want.shape.join('x') || out.data.length !== want.data.length) {
        console.error('shape ' + out.dims.join('x') + ' but ganrun wrote ' + want.shape.join('x'));
        process.exit(1);
    }
}

main().catch(e => { console.error(e.message); process.exit(1); });
