namespace Propeller.Proplet.Runtimes.Wave;

/// <summary>A named field of a record type.</summary>
internal sealed record WaveField(string Name, WaveType Type);
