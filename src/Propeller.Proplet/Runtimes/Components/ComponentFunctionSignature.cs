using Propeller.Proplet.Runtimes.Wave;

namespace Propeller.Proplet.Runtimes.Components;

/// <summary>The parameter types and the optional result type of a component function.</summary>
internal sealed record ComponentFunctionSignature(IReadOnlyList<ComponentParameter> Parameters, WaveType? Result);
