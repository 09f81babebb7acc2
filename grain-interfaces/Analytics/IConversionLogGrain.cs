using Widgets.Sessions;

namespace Widgets.Analytics;

/// <summary>What customers submitted at a location on one UTC day (key: location/yyyy-MM-dd).</summary>
public interface IConversionLogGrain : IGrainWithStringKey
{
    Task Append(ConversionRecord record);

    [ReadOnly]
    Task<IReadOnlyList<ConversionRecord>> List();
}
