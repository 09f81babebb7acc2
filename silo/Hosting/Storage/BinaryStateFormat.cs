using Orleans.Serialization;
using Orleans.Storage;

namespace Widgets.Hosting.Storage;

/// <summary>
/// Grain state in Orleans' binary format, which is version tolerant through the <c>[Id]</c> of each member, instead of
/// Orleans' default Newtonsoft JSON, whose serialization was 7.6 % of the flow's CPU (docs/PERFORMANCE.md). A leading
/// zero byte marks it; rows without the marker are JSON from before the switch (JSON text never starts with a zero
/// byte) and are still read, then rewritten in binary by the grain's next write.
/// </summary>
public sealed class BinaryStateFormat(Serializer serializer, IGrainStorageSerializer legacyJson) : IGrainStorageSerializer
{
    public const byte Marker = 0;

    public BinaryData Serialize<T>(T? input)
    {
        using var buffer = new MemoryStream(1024);
        buffer.WriteByte(Marker);
        serializer.Serialize(input, buffer);
        return new BinaryData(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }

    public T? Deserialize<T>(BinaryData input)
    {
        var bytes = input.ToMemory();
        return !bytes.IsEmpty && bytes.Span[0] == Marker ? serializer.Deserialize<T>(bytes[1..]) : legacyJson.Deserialize<T>(input);
    }
}
