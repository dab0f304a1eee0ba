namespace Propeller.Benchmarks.Delivery;

/// <summary>A valid module of an exact size: the <c>add</c> example plus a custom section of random bytes.</summary>
internal static class PaddedWasm
{
    private static readonly byte[] SectionName = "padding"u8.ToArray();

    /// <summary>The module padded to exactly <paramref name="totalBytes"/> bytes.</summary>
    public static byte[] Create(int totalBytes)
    {
        var module = BenchmarkWasm.Add;

        // Section = id 0, LEB128 size, name length, name, payload; the size field's own length depends on the payload.
        var overhead = 1 + 1 + SectionName.Length;
        var payload = totalBytes - module.Length - overhead;
        while (payload > 0 && module.Length + overhead + LebLength((uint)(1 + SectionName.Length + payload)) + payload > totalBytes)
        {
            payload--;
        }

        if (payload <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(totalBytes), totalBytes, "too small for the module plus a custom section");
        }

        using var buffer = new MemoryStream(totalBytes);
        buffer.Write(module);
        buffer.WriteByte(0);
        WriteLeb(buffer, (uint)(1 + SectionName.Length + payload));
        buffer.WriteByte((byte)SectionName.Length);
        buffer.Write(SectionName);

        // Random rather than zeros, so nothing on the way can profit from compressible data; seeded, so runs compare.
        var padding = new byte[payload];
        new Random(4).NextBytes(padding);
        buffer.Write(padding);
        return buffer.ToArray();
    }

    private static int LebLength(uint value)
    {
        var length = 1;
        while ((value >>= 7) != 0)
        {
            length++;
        }

        return length;
    }

    private static void WriteLeb(Stream stream, uint value)
    {
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            stream.WriteByte(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
    }
}
