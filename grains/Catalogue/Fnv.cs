namespace Widgets.Grains.Catalogue;

/// <summary>FNV-1a: a hash that is the same in every process, so ETags survive reactivation elsewhere.</summary>
internal struct Fnv
{
    private ulong hash;

    public Fnv() => hash = 14695981039346656037UL;

    public void Add(long value)
    {
        for (var i = 0; i < 8; i++)
        {
            hash ^= (byte)(value >> (i * 8));
            hash *= 1099511628211UL;
        }
    }

    public readonly string ToETag() => $"\"{hash:x16}\"";
}
