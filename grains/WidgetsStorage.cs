namespace Widgets.Grains;

/// <summary>The one grain-storage provider every grain of ours persists to.</summary>
public static class WidgetsStorage
{
    public const string Name = "widgets";
}
