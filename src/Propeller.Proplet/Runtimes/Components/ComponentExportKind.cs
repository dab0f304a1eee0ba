namespace Propeller.Proplet.Runtimes.Components;

/// <summary>What a top-level export of a component is, as far as the proplet cares.</summary>
internal enum ComponentExportKind
{
    Function,
    Instance,
    Other,
}
