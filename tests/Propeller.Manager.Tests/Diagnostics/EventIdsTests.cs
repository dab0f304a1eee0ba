using System.Reflection;
using Microsoft.Extensions.Logging;
using Propeller.Manager.Diagnostics;

namespace Propeller.Manager.Tests.Diagnostics;

public sealed class EventIdsTests
{
    private static readonly IReadOnlyList<(string Name, int Id)> Table = typeof(EventIds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (f.Name, (int)f.GetRawConstantValue()!))
        .ToList();

    private static readonly IReadOnlyList<LoggerMessageAttribute> ManagerMessages = typeof(EventIds).Assembly.GetTypes()
        .Where(t => t.Namespace?.StartsWith("Propeller.Manager.Storage", StringComparison.Ordinal) != true)
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
        .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
        .OfType<LoggerMessageAttribute>()
        .ToList();

    [Fact]
    public void Table_IdsAreUniqueAndInTheManagerRange()
    {
        Assert.Equal(Table.Count, Table.Select(e => e.Id).Distinct().Count());
        Assert.All(Table, e => Assert.InRange(e.Id, 2000, 2799));
    }

    [Fact]
    public void EveryLogMessage_UsesAnIdFromTheTableOnceWithItsName()
    {
        Assert.NotEmpty(ManagerMessages);
        Assert.Equal(ManagerMessages.Count, ManagerMessages.Select(m => m.EventId).Distinct().Count());
        Assert.All(ManagerMessages, m => Assert.Contains((m.EventName!, m.EventId), Table));
    }
}
