namespace Propeller.FleetSim.Footprint;

/// <summary>Options of the <c>footprint</c> command.</summary>
internal sealed record FootprintSettings(int Tasks, int NapMilliseconds, int SettleSeconds)
{
    public static FootprintSettings From(Arguments args)
    {
        var settings = new FootprintSettings(
            args.Int("tasks", 100, 1, 1000),
            args.Int("nap-ms", 5000, 100, 60_000),
            args.Int("settle-seconds", 5, 1, 60));
        args.ThrowIfUnused();
        return settings;
    }
}
