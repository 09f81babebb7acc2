namespace Widgets.Keys;

/// <summary>
/// Grain references by string key. <c>IGrainFactory.GetGrain&lt;T&gt;(string)</c> resolves the interface's grain type
/// from its attributes by reflection on every call, which cost about 6 % of the CPU of a list request; here the two
/// types are resolved once per interface and reused.
/// </summary>
public static class GrainReferences
{
    public static T Grain<T>(this IGrainFactory grains, string key)
        where T : IGrainWithStringKey
    {
        var types = TypesOf<T>.Resolve(grains);
        return (T)grains.GetGrain(GrainId.Create(types.Grain, key), types.Interface);
    }

    /// <summary>The reference to a grain whose id is already known (e.g. from a timer's bookkeeping).</summary>
    public static T Grain<T>(this IGrainFactory grains, GrainId id)
        where T : IGrainWithStringKey => (T)grains.GetGrain(id, TypesOf<T>.Resolve(grains).Interface);

    private static class TypesOf<T>
        where T : IGrainWithStringKey
    {
        // A class, so a racing first call publishes the pair whole.
        private static Types? resolved;

        public static Types Resolve(IGrainFactory grains)
        {
            if (resolved is { } known)
            {
                return known;
            }

            var sample = (GrainReference)(object)grains.GetGrain<T>("type-probe");
            return resolved = new Types(sample.GrainId.Type, sample.InterfaceType);
        }
    }

    private sealed record Types(GrainType Grain, GrainInterfaceType Interface);
}
