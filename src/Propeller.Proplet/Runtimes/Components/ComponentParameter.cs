using Propeller.Proplet.Runtimes.Wave;

namespace Propeller.Proplet.Runtimes.Components;

/// <summary>A named parameter of a component function.</summary>
internal sealed record ComponentParameter(string Name, WaveType Type);
