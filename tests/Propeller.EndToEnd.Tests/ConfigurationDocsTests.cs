using System.Reflection;
using Propeller.Cli.Commands;
using Propeller.Cli.Hosts;
using Propeller.Manager.Hosting;
using Propeller.Proplet.Configuration;
using Propeller.Testing;

namespace Propeller.EndToEnd.Tests;

/// <summary>docs/configuration.md lists every variable the code reads.</summary>
public sealed class ConfigurationDocsTests
{
    public static TheoryData<string> Variables()
    {
        var data = new TheoryData<string>();
        foreach (var type in new[] { typeof(ManagerEnvironment), typeof(PropletVariables), typeof(BrokerCommand), typeof(Propeller.Proxy.Configuration.ProxyVariables), typeof(PushCommand) })
        {
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            {
                if (field.IsLiteral && field.GetValue(null) is string value && value.Contains('_', StringComparison.Ordinal)
                    && value.All(c => char.IsAsciiLetterUpper(c) || c == '_') && !value.EndsWith('_'))
                {
                    data.Add(value);
                }
            }
        }

        foreach (var identity in new[] { "TENANT_ID", "CHANNEL_ID", "ENTITY_ID", "API_KEY" })
        {
            data.Add("MANAGER_" + identity);
            data.Add("PROPLET_" + identity);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Variables))]
    public void ConfigurationDoc_ListsVariable(string variable)
    {
        var doc = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "configuration.md"));

        Assert.Contains($"`{variable}`", doc, StringComparison.Ordinal);
    }
}
