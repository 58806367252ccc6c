package zarr

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/golang/snappy"
	"github.com/pierrec/lz4/v4"
)

// Blosc1 frames, as numcodecs' Blosc codec (python zarr's default
// compressor) writes them. A frame is a 16-byte header
//
//	version(1) versionlz(1) flags(1) typesize(1) nbytes(4) blocksize(4) cbytes(4)
//
// (little-endian), then either the raw data (flag memcpyed) or one int32
// start offset per block followed by the blocks. A block is shuffled (byte
// or bit shuffle over its typesize-byte elements) and then, when split, cut
// into typesize streams, each stored as an int32 length and that many bytes
// of the codec's output (the raw bytes when the length equals the stream's
// size). Flags: 0x01 byte shuffle, 0x02 memcpyed, 0x04 bit shuffle, 0x10
// blocks not split; bits 5-7 the codec.

const (
	bloscFlagShuffle    = 0x01
	bloscFlagMemcpy     = 0x02
	bloscFlagBitShuffle = 0x04
	bloscFlagReserved   = 0x08
	bloscFlagDontSplit  = 0x10

	bloscHeaderLen = 16
	bloscMaxSplits = 16
	bloscMinBuffer = 128
	bloscVersion   = 2 // Blosc1 format
)

// Codec codes of header bits 5-7.
const (
	bloscBloscLZ = 0
	bloscLZ4     = 1
	bloscSnappy  = 2
	bloscZlib    = 3
	bloscZstd    = 4
)

var bloscCodecNames = [...]string{"blosclz", "lz4", "snappy", "zlib", "zstd"}

// bloscCNames maps the cname of a Blosc compressor to its codec code.
var bloscCNames = map[string]int{"blosclz": bloscBloscLZ, "lz4": bloscLZ4, "lz4hc": bloscLZ4,
	"snappy": bloscSnappy, "zlib": bloscZlib, "zstd": bloscZstd}

func bloscCodecName(code int) string {
	if code < len(bloscCodecNames) {
		return bloscCodecNames[code]
	}
	return fmt.Sprintf("codec %d", code)
}

// checkBloscCName reports whether cname can be read and written.
func checkBloscCName(cname string) error {
	code, ok := bloscCNames[cname]
	if !ok {
		return fmt.Errorf("unknown blosc cname %q", cname)
	}
	if code == bloscBloscLZ {
		return fmt.Errorf("unsupported blosc cname %q (lz4, lz4hc, zstd, zlib and snappy are)", cname)
	}
	return nil
}

// bloscShuffle byte-shuffles src into dst: byte j of element i goes to
// j*n + i (n whole elements; trailing bytes are copied).
func bloscShuffle(dst, src []byte, ts int) {
	n := len(src) / ts
	for i := 0; i < n; i++ {
		for j := 0; j < ts; j++ {
			dst[j*n+i] = src[i*ts+j]
		}
	}
	copy(dst[n*ts:], src[n*ts:])
}

func bloscUnshuffle(dst, src []byte, ts int) {
	n := len(src) / ts
	switch ts {
	case 8:
		for i := 0; i < n; i++ {
			d := dst[i*8 : i*8+8 : i*8+8]
			d[0], d[1], d[2], d[3] = src[i], src[n+i], src[2*n+i], src[3*n+i]
			d[4], d[5], d[6], d[7] = src[4*n+i], src[5*n+i], src[6*n+i], src[7*n+i]
		}
	default:
		for i := 0; i < n; i++ {
			for j := 0; j < ts; j++ {
				dst[i*ts+j] = src[j*n+i]
			}
		}
	}
	copy(dst[n*ts:], src[n*ts:])
}

// bitShuffle bit-transposes the n elements of src into dst: bit k of byte j
// of element i goes to bit i%8 of byte (j*8+k)*(n/8) + i/8; trailing bytes
// are copied. As in c-blosc 1, a block whose element count is not a multiple
// of 8 is copied as it is. unshuffle reverses it.
func bitShuffle(dst, src []byte, ts int, unshuffle bool) {
	n := len(src) / ts
	if n%8 != 0 {
		copy(dst, src)
		return
	}
	row := n / 8
	clear(dst[:n*ts])
	for i := 0; i < n; i++ {
		for j := 0; j < ts; j++ {
			for k := 0; k < 8; k++ {
				pos := (j*8+k)*row + i/8
				if unshuffle {
					dst[i*ts+j] |= (src[pos] >> (i % 8) & 1) << k
				} else {
					dst[pos] |= (src[i*ts+j] >> k & 1) << (i % 8)
				}
			}
		}
	}
	copy(dst[n*ts:], src[n*ts:])
}

var errBloscCorrupt = errors.New("corrupt blosc frame")

// bloscDecode decodes one Blosc1 frame.
func bloscDecode(src []byte) ([]byte, error) {
	if len(src) < bloscHeaderLen {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the 16-byte header", errBloscCorrupt, len(src))
	}
	version, flags, ts := src[0], src[2], int(src[3])
	nbytes := int(binary.LittleEndian.Uint32(src[4:]))
	blocksize := int(binary.LittleEndian.Uint32(src[8:]))
	cbytes := int(binary.LittleEndian.Uint32(src[12:]))
	switch {
	case version == 0 || version > bloscVersion:
		return nil, fmt.Errorf("unsupported blosc format version %d (Blosc1, versions 1 and 2, is)", version)
	case cbytes != len(src):
		return nil, fmt.Errorf("%w: header says %d bytes, have %d (truncated?)", errBloscCorrupt, cbytes, len(src))
	case nbytes == 0:
		return []byte{}, nil
	case flags&bloscFlagReserved != 0:
		return nil, fmt.Errorf("unsupported blosc flags %#x", flags)
	case ts == 0 || blocksize <= 0 || nbytes < 0 || nbytes > 1<<31-1:
		return nil, fmt.Errorf("%w: typesize %d, blocksize %d, nbytes %d", errBloscCorrupt, ts, blocksize, nbytes)
	}
	if flags&bloscFlagMemcpy != 0 {
		if len(src) != nbytes+bloscHeaderLen {
			return nil, fmt.Errorf("%w: uncompressed frame of %d bytes holds %d", errBloscCorrupt, len(src), nbytes)
		}
		return append([]byte{}, src[bloscHeaderLen:]...), nil
	}
	code := int(flags >> 5)
	if code == bloscBloscLZ || code > bloscZstd {
		return nil, fmt.Errorf("unsupported blosc codec %s (lz4, lz4hc, zstd, zlib and snappy are)", bloscCodecName(code))
	}
	nblocks := (nbytes + blocksize - 1) / blocksize
	if bloscHeaderLen+4*nblocks > len(src) {
		return nil, fmt.Errorf("%w: %d block offsets do not fit in %d bytes", errBloscCorrupt, nblocks, len(src))
	}
	shuffle := flags&bloscFlagShuffle != 0 && ts > 1
	bitshuf := !shuffle && flags&bloscFlagBitShuffle != 0
	dontSplit := flags&bloscFlagDontSplit != 0
	out := make([]byte, nbytes)
	var tmp []byte
	if shuffle || bitshuf {
		tmp = make([]byte, blocksize)
	}
	for b := 0; b < nblocks; b++ {
		bsize := min(blocksize, nbytes-b*blocksize)
		leftover := bsize < blocksize
		dst := out[b*blocksize : b*blocksize+bsize]
		target := dst
		if tmp != nil {
			target = tmp[:bsize]
		}
		off := int(binary.LittleEndian.Uint32(src[bloscHeaderLen+4*b:]))
		nsplits := 1
		if !dontSplit && !leftover && ts <= bloscMaxSplits && blocksize/ts >= bloscMinBuffer {
			nsplits = ts
		}
		neblock := bsize / nsplits
		for s := 0; s < nsplits; s++ {
			if off < 0 || off+4 > len(src) {
				return nil, fmt.Errorf("%w: block %d starts past the end", errBloscCorrupt, b)
			}
			cb := int(binary.LittleEndian.Uint32(src[off:]))
			off += 4
			if cb < 0 || cb > len(src)-off {
				return nil, fmt.Errorf("%w: block %d stream %d of %d bytes runs past the end", errBloscCorrupt, b, s, cb)
			}
			part := target[s*neblock : (s+1)*neblock]
			if cb == neblock {
				copy(part, src[off:off+cb])
			} else if err := bloscDecompress(code, src[off:off+cb], part); err != nil {
				return nil, fmt.Errorf("%w: block %d stream %d: %s: %v", errBloscCorrupt, b, s, bloscCodecName(code), err)
			}
			off += cb
		}
		switch {
		case shuffle:
			bloscUnshuffle(dst, target, ts)
		case bitshuf:
			bitShuffle(dst, target, ts, true)
		}
	}
	return out, nil
}

// bloscDecompress decodes one stream into dst, which it must fill exactly.
func bloscDecompress(code int, src, dst []byte) error {
	var n int
	switch code {
	case bloscLZ4:
		var err error
		if n, err = lz4.UncompressBlock(src, dst); err != nil {
			return err
		}
	case bloscZstd:
		d, err := decoder()
		if err != nil {
			return err
		}
		out, err := d.DecodeAll(src, dst[:0:len(dst)])
		if err != nil {
			return err
		}
		if len(out) > len(dst) || (len(out) > 0 && &out[0] != &dst[0]) {
			return fmt.Errorf("decoded %d bytes, want %d", len(out), len(dst))
		}
		n = len(out)
	case bloscZlib:
		r, err := zlib.NewReader(bytes.NewReader(src))
		if err != nil {
			return err
		}
		if n, err = io.ReadFull(r, dst); err != nil {
			return err
		}
		if k, _ := r.Read(make([]byte, 1)); k > 0 {
			return fmt.Errorf("more than %d bytes", len(dst))
		}
	case bloscSnappy:
		l, err := snappy.DecodedLen(src)
		if err != nil {
			return err
		}
		if l != len(dst) {
			return fmt.Errorf("decoded %d bytes, want %d", l, len(dst))
		}
		if _, err := snappy.Decode(dst, src); err != nil {
			return err
		}
		n = l
	default:
		return fmt.Errorf("unsupported codec")
	}
	if n != len(dst) {
		return fmt.Errorf("decoded %d bytes, want %d", n, len(dst))
	}
	return nil
}

// bloscBlockSize is c-blosc 1's choice of block size for nbytes of data.
func bloscBlockSize(clevel, ts, nbytes int, split bool) int {
	const l1 = 32 * 1024
	if nbytes < ts {
		return 1
	}
	bs := nbytes
	if nbytes >= l1 {
		bs = l1
		switch {
		case clevel == 0:
			bs /= 4
		case clevel == 1:
			bs /= 2
		case clevel == 3:
			bs *= 2
		case clevel == 4 || clevel == 5:
			bs *= 4
		case clevel >= 6:
			bs *= 8
		}
	}
	if clevel > 0 && split {
		bs = min(bs, 1<<18) * ts
		bs = min(max(bs, 1<<16), 1<<20)
	}
	bs = min(bs, nbytes)
	if bs > ts {
		bs = bs / ts * ts
	}
	return bs
}

// bloscEncode compresses data as one Blosc1 frame with elements of ts
// bytes, the codec of cname at clevel (0-9; 0 stores raw) and shuffle 0
// (none), 1 (byte) or 2 (bit).
func bloscEncode(data []byte, ts int, cname string, clevel, shuffle int) ([]byte, error) {
	if err := checkBloscCName(cname); err != nil {
		return nil, err
	}
	code := bloscCNames[cname]
	if ts <= 0 || ts > 255 {
		ts = 1
	}
	nbytes := len(data)
	if nbytes > 1<<31-1-bloscHeaderLen {
		return nil, fmt.Errorf("blosc: %d bytes exceed the 2 GiB frame limit", nbytes)
	}
	memcpy := func() []byte {
		out := make([]byte, bloscHeaderLen, bloscHeaderLen+nbytes)
		out[0], out[1], out[2], out[3] = bloscVersion, 1, bloscFlagMemcpy|bloscFlagDontSplit|byte(code<<5), byte(ts)
		binary.LittleEndian.PutUint32(out[4:], uint32(nbytes))
		binary.LittleEndian.PutUint32(out[8:], uint32(max(nbytes, 1)))
		binary.LittleEndian.PutUint32(out[12:], uint32(nbytes+bloscHeaderLen))
		return append(out, data...)
	}
	if clevel <= 0 || nbytes < bloscMinBuffer {
		return memcpy(), nil
	}
	clevel = min(clevel, 9)
	canSplit := code == bloscLZ4 && ts <= bloscMaxSplits
	bs := bloscBlockSize(clevel, ts, nbytes, canSplit && nbytes/ts >= bloscMinBuffer)
	split := canSplit && bs/ts >= bloscMinBuffer
	flags := byte(code << 5)
	switch {
	case shuffle == 1 && ts > 1:
		flags |= bloscFlagShuffle
	case shuffle == 2:
		flags |= bloscFlagBitShuffle
	}
	if !split {
		flags |= bloscFlagDontSplit
	}
	nblocks := (nbytes + bs - 1) / bs
	out := make([]byte, bloscHeaderLen+4*nblocks, bloscHeaderLen+4*nblocks+nbytes/2)
	out[0], out[1], out[2], out[3] = bloscVersion, 1, flags, byte(ts)
	binary.LittleEndian.PutUint32(out[4:], uint32(nbytes))
	binary.LittleEndian.PutUint32(out[8:], uint32(bs))
	tmp := make([]byte, bs)
	var cbuf []byte
	for b := 0; b < nblocks; b++ {
		blk := data[b*bs : min(nbytes, (b+1)*bs)]
		binary.LittleEndian.PutUint32(out[bloscHeaderLen+4*b:], uint32(len(out)))
		src := blk
		switch {
		case flags&bloscFlagShuffle != 0:
			bloscShuffle(tmp[:len(blk)], blk, ts)
			src = tmp[:len(blk)]
		case flags&bloscFlagBitShuffle != 0:
			bitShuffle(tmp[:len(blk)], blk, ts, false)
			src = tmp[:len(blk)]
		}
		nsplits := 1
		if split && len(blk) == bs {
			nsplits = ts
		}
		neblock := len(blk) / nsplits
		for s := 0; s < nsplits; s++ {
			part := src[s*neblock : (s+1)*neblock]
			var err error
			cbuf, err = bloscCompress(code, cname, clevel, part, cbuf[:0])
			if err != nil {
				return nil, fmt.Errorf("blosc %s: %w", cname, err)
			}
			if len(cbuf) == 0 || len(cbuf) >= neblock {
				cbuf = append(cbuf[:0], part...)
			}
			out = binary.LittleEndian.AppendUint32(out, uint32(len(cbuf)))
			out = append(out, cbuf...)
		}
		if len(out) > nbytes+bloscHeaderLen {
			return memcpy(), nil // incompressible
		}
	}
	binary.LittleEndian.PutUint32(out[12:], uint32(len(out)))
	return out, nil
}

// bloscCompress appends the codec's compression of src to dst; an empty
// result means incompressible.
func bloscCompress(code int, cname string, clevel int, src, dst []byte) ([]byte, error) {
	switch code {
	case bloscLZ4:
		buf := make([]byte, lz4.CompressBlockBound(len(src)))
		var n int
		var err error
		if cname == "lz4hc" {
			c := lz4.CompressorHC{Level: lz4.CompressionLevel(1 << (8 + clevel))}
			n, err = c.CompressBlock(src, buf)
		} else {
			var c lz4.Compressor
			n, err = c.CompressBlock(src, buf)
		}
		if err != nil {
			return nil, err
		}
		return append(dst, buf[:n]...), nil
	case bloscZstd:
		e, err := encoder(min(2*clevel-1, 19))
		if err != nil {
			return nil, err
		}
		return e.EncodeAll(src, dst), nil
	case bloscZlib:
		var b bytes.Buffer
		w, err := zlib.NewWriterLevel(&b, clevel)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(src); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return append(dst, b.Bytes()...), nil
	case bloscSnappy:
		return append(dst, snappy.Encode(nil, src)...), nil
	}
	return nil, fmt.Errorf("unsupported codec %s", bloscCodecName(code))
}
