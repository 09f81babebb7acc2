using System.Globalization;
using System.Text;
using Orleans.Storage;

namespace Widgets.Hosting.Storage;

/// <summary>
/// The grain storage of both modes: reads and clears go to Orleans' ADO.NET provider (clears as the
/// <see cref="IStorageRowWriter"/> says), while writes go to the row writer, which stores many per transaction.
/// </summary>
/// <remarks>
/// The rows are the ones the ADO.NET provider reads and writes (same columns, hashes and versions, the same stored
/// <c>WriteToStorageKey</c> query from <c>OrleansQuery</c>), so both can be used on one database and earlier data
/// directories and databases keep working.
/// </remarks>
public sealed class BatchedGrainStorage(
    IGrainStorage inner,
    IStorageRowWriter writer,
    string serviceId,
    string providerName,
    IGrainStorageSerializer serializer,
    IStorageHasherPicker? hashPicker) : IGrainStorage
{
    private readonly IStorageHasherPicker hashPicker = hashPicker ?? new StorageHasherPicker([new OrleansDefaultHasher()]);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        writer.WriteAlone(() => inner.ClearStateAsync(stateName, grainId, grainState));

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (stateName.Contains('`', StringComparison.Ordinal))
        {
            // A generic state type's name, which the ADO.NET provider rewrites first: leave those to it.
            await writer.WriteAlone(() => inner.WriteStateAsync(stateName, grainId, grainState));
            return;
        }

        var row = RowOf(stateName, grainId, grainState);
        var expected = string.IsNullOrWhiteSpace(grainState.ETag) ? (int?)null : int.Parse(grainState.ETag, CultureInfo.InvariantCulture);
        var payload = serializer.Serialize(grainState.State).ToArray();
        var stored = await writer.Write("WriteToStorageKey",
        [
            new("GrainIdHash", row.GrainIdHash),
            new("GrainIdN0", row.N0),
            new("GrainIdN1", row.N1),
            new("GrainTypeHash", row.GrainTypeHash),
            new("GrainTypeString", row.GrainTypeString),
            new("GrainIdExtensionString", row.Extension),
            new("ServiceId", serviceId),
            new("GrainStateVersion", expected),
            new("PayloadBinary", payload),
        ]);

        // No row back (another activation wrote first, or a first write found a row), or the version we expected
        // back unchanged (PostgreSQL's query says a conflict so): a successful write always answers expected + 1.
        if (stored is not { } version || version == expected)
        {
            throw new InconsistentStateException(
                $"Version conflict (WriteState): ServiceId={serviceId} ProviderName={providerName} GrainType={stateName} GrainId={grainId} ETag={grainState.ETag}.",
                storedEtag: null, currentEtag: grainState.ETag);
        }

        grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    /// <summary>The row's identity as the ADO.NET provider computes it (its <c>AdoGrainKey</c> and hashes).</summary>
    private RowKey RowOf<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        long n0 = 0, n1 = 0;
        string? extension;
        byte[] hashBytes;
        if (grainId.TryGetGuidKey(out var guid, out extension))
        {
            var guidBytes = guid.ToByteArray();
            n0 = BitConverter.ToInt64(guidBytes, 0);
            n1 = BitConverter.ToInt64(guidBytes, 8);
            hashBytes = WithExtension(guidBytes, extension);
        }
        else if (grainId.TryGetIntegerKey(out var integer, out extension))
        {
            n1 = integer;
            hashBytes = WithExtension(BitConverter.GetBytes(integer), extension);
        }
        else
        {
            extension = grainId.Key.ToString();
            hashBytes = Encoding.UTF8.GetBytes(extension);
        }

        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(hashBytes);
        }

        var hasher = hashPicker.PickHasher(serviceId, providerName, stateName, grainId, grainState)
            ?? throw new InvalidOperationException($"The storage's hash picker offers no hasher for {stateName}.");
        return new RowKey(hasher.Hash(hashBytes), n0, n1, hasher.Hash(Encoding.UTF8.GetBytes(stateName)), stateName, extension);

        static byte[] WithExtension(byte[] key, string? extension) =>
            extension is null ? key : [.. key, .. Encoding.UTF8.GetBytes(extension)];
    }

    private readonly record struct RowKey(int GrainIdHash, long N0, long N1, int GrainTypeHash, string GrainTypeString, string? Extension);
}
