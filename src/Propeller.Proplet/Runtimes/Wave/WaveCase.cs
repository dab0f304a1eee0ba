namespace Propeller.Proplet.Runtimes.Wave;

/// <summary>A case of a variant type; <see cref="Payload"/> is null for a case without one.</summary>
internal sealed record WaveCase(string Name, WaveType? Payload);
