using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace StretchBot.TeamsPackage.Tests;

/// <summary>A decoded PNG: the header fields and every pixel as 8-bit RGBA, row by row.</summary>
public sealed record PngImage(int Width, int Height, int BitDepth, int ColorType, byte[] Rgba)
{
    /// <summary>True when the file itself stores alpha (colour type 4 or 6, or a palette with a tRNS chunk).</summary>
    public bool HasAlphaChannel { get; init; }

    public (byte R, byte G, byte B, byte A) Pixel(int x, int y)
    {
        var i = ((y * Width) + x) * 4;
        return (Rgba[i], Rgba[i + 1], Rgba[i + 2], Rgba[i + 3]);
    }
}

/// <summary>
/// A small, strict PNG decoder for the icon tests: checks the signature and every chunk's CRC, inflates the IDAT
/// stream with <see cref="ZLibStream"/> and undoes the five scanline filters. 8-bit, non-interlaced images only
/// (greyscale, RGB, palette, grey+alpha, RGBA), which is what the icon renderer writes; anything else throws.
/// </summary>
public static class Png
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];
    private static readonly uint[] CrcTable = BuildCrcTable();

    public static PngImage Decode(byte[] file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.Length < Signature.Length || !file.AsSpan(0, Signature.Length).SequenceEqual(Signature))
        {
            throw new InvalidDataException("Not a PNG: the signature is wrong.");
        }

        int width = 0, height = 0, bitDepth = 0, colorType = -1;
        byte[]? palette = null;
        byte[]? paletteAlpha = null;
        using var idat = new MemoryStream();
        var sawEnd = false;
        var first = true;
        for (var pos = Signature.Length; pos < file.Length;)
        {
            if (sawEnd)
            {
                throw new InvalidDataException("Data after IEND.");
            }

            var length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(pos)));
            var type = Encoding.ASCII.GetString(file, pos + 4, 4);
            var data = file.AsSpan(pos + 8, length);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(pos + 8 + length));
            if (Crc32(file.AsSpan(pos + 4, length + 4)) != crc)
            {
                throw new InvalidDataException($"Chunk {type} at {pos} has a bad CRC.");
            }

            if (first && type != "IHDR")
            {
                throw new InvalidDataException("The first chunk is not IHDR.");
            }

            first = false;
            switch (type)
            {
                case "IHDR":
                    width = checked((int)BinaryPrimitives.ReadUInt32BigEndian(data));
                    height = checked((int)BinaryPrimitives.ReadUInt32BigEndian(data[4..]));
                    bitDepth = data[8];
                    colorType = data[9];
                    if (data[10] != 0 || data[11] != 0 || data[12] != 0)
                    {
                        throw new InvalidDataException("Only compression 0, filter method 0 and no interlacing are supported.");
                    }

                    break;
                case "PLTE":
                    palette = data.ToArray();
                    break;
                case "tRNS":
                    paletteAlpha = data.ToArray();
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
            }

            pos += 12 + length;
        }

        if (!sawEnd)
        {
            throw new InvalidDataException("No IEND chunk.");
        }

        if (bitDepth != 8)
        {
            throw new InvalidDataException($"Bit depth {bitDepth} is not supported (8 only).");
        }

        var channels = colorType switch
        {
            0 => 1,
            2 => 3,
            3 => 1,
            4 => 2,
            6 => 4,
            _ => throw new InvalidDataException($"Colour type {colorType} is not valid."),
        };
        if (colorType == 3 && palette is null)
        {
            throw new InvalidDataException("A palette image without PLTE.");
        }

        var stride = width * channels;
        var raw = Inflate(idat.ToArray());
        if (raw.Length != height * (stride + 1))
        {
            throw new InvalidDataException($"The image data is {raw.Length} bytes; {width}x{height} needs {height * (stride + 1)}.");
        }

        var pixels = Unfilter(raw, height, stride, channels);
        var rgba = new byte[width * height * 4];
        for (var i = 0; i < width * height; i++)
        {
            var s = i * channels;
            var (r, g, b, a) = colorType switch
            {
                0 => (pixels[s], pixels[s], pixels[s], (byte)255),
                2 => (pixels[s], pixels[s + 1], pixels[s + 2], (byte)255),
                3 => PaletteEntry(palette!, paletteAlpha, pixels[s]),
                4 => (pixels[s], pixels[s], pixels[s], pixels[s + 1]),
                _ => (pixels[s], pixels[s + 1], pixels[s + 2], pixels[s + 3]),
            };
            rgba[i * 4] = r;
            rgba[(i * 4) + 1] = g;
            rgba[(i * 4) + 2] = b;
            rgba[(i * 4) + 3] = a;
        }

        return new PngImage(width, height, bitDepth, colorType, rgba)
        {
            HasAlphaChannel = colorType is 4 or 6 || (colorType == 3 && paletteAlpha is not null),
        };
    }

    private static (byte, byte, byte, byte) PaletteEntry(byte[] palette, byte[]? alpha, byte index)
    {
        if ((index * 3) + 2 >= palette.Length)
        {
            throw new InvalidDataException($"Palette index {index} is out of range.");
        }

        var a = alpha is not null && index < alpha.Length ? alpha[index] : (byte)255;
        return (palette[index * 3], palette[(index * 3) + 1], palette[(index * 3) + 2], a);
    }

    private static byte[] Inflate(byte[] zlib)
    {
        using var input = new MemoryStream(zlib);
        using var inflater = new ZLibStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        inflater.CopyTo(output);
        return output.ToArray();
    }

    // PNG filter types: 0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth; "left" is one pixel (bpp bytes) back.
    private static byte[] Unfilter(byte[] raw, int height, int stride, int bpp)
    {
        var result = new byte[height * stride];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            var src = (y * (stride + 1)) + 1;
            var row = y * stride;
            var previous = row - stride;
            for (var x = 0; x < stride; x++)
            {
                int left = x >= bpp ? result[row + x - bpp] : 0;
                int up = y > 0 ? result[previous + x] : 0;
                int upLeft = y > 0 && x >= bpp ? result[previous + x - bpp] : 0;
                var predictor = filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    4 => Paeth(left, up, upLeft),
                    _ => throw new InvalidDataException($"Row {y} has filter type {filter}."),
                };
                result[row + x] = (byte)(raw[src + x] + predictor);
            }
        }

        return result;
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        var pa = Math.Abs(p - a);
        var pb = Math.Abs(p - b);
        var pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
