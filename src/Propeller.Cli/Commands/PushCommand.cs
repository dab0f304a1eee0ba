using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Propeller.Proxy.Oci;

namespace Propeller.Cli.Commands;

/// <summary>
/// <c>propeller push &lt;file&gt; &lt;registry/repo:tag&gt;</c>: publishes a Wasm file (or WebAssembly text, compiled here) as
/// an OCI artifact that a proxy can stream to proplets, and prints the manifest digest to pin tasks with.
/// </summary>
internal static class PushCommand
{
    internal const string UsernameVariable = "PROPELLER_REGISTRY_USERNAME";
    internal const string PasswordVariable = "PROPELLER_REGISTRY_PASSWORD";
    internal const string TokenVariable = "PROPELLER_REGISTRY_TOKEN";

    public static Command Build()
    {
        var file = new Argument<FileInfo>("file") { Description = "The .wasm (or .wat) to publish" };
        var reference = new Argument<string>("reference") { Description = "Where to publish it: registry[:port]/repository[:tag]" };
        var username = new Option<string?>("--username", "-u") { Description = $"Registry user (or {UsernameVariable})" };
        var password = new Option<string?>("--password", "-p") { Description = $"Registry password (or {PasswordVariable})" };
        var token = new Option<string?>("--token") { Description = $"Registry bearer token, used without a username and password (or {TokenVariable})" };
        var insecure = new Option<bool>("--insecure") { Description = "Allow plain HTTP to this registry (loopback registries always allow it)" };
        var command = new Command("push", "Publish a Wasm file to an OCI registry as a Wasm artifact")
        {
            file, reference, username, password, token, insecure,
        };
        command.SetAction(async (ctx, ct) =>
        {
            if (!OciReference.TryParse(ctx.Get(reference), out var target, out var error))
            {
                throw new CliUsageException($"invalid reference '{ctx.Get(reference)}': {error}");
            }

            var wasm = await WasmFile.ReadAsync(ctx.Get(file), ct);
            var user = ctx.Get(username) ?? Environment.GetEnvironmentVariable(UsernameVariable);
            var secret = ctx.Get(password) ?? Environment.GetEnvironmentVariable(PasswordVariable);
            var bearer = ctx.Get(token) ?? Environment.GetEnvironmentVariable(TokenVariable);
            if (!string.IsNullOrEmpty(user) != !string.IsNullOrEmpty(secret))
            {
                throw new CliUsageException("--username and --password go together");
            }

            var options = new OciClientOptions
            {
                Credentials = string.IsNullOrEmpty(user) && string.IsNullOrEmpty(bearer)
                    ? []
                    : [new OciCredential(target!.Registry, NullIfEmpty(user), NullIfEmpty(secret), NullIfEmpty(bearer))],
                InsecureRegistries = ctx.Get(insecure) ? [target!.Registry] : [],
            };
            using var client = new OciRegistryClient(options, NullLogger<OciRegistryClient>.Instance);
            OciPushResult pushed;
            try
            {
                pushed = await client.PushWasmAsync(target!, wasm, ct);
            }
            catch (OciRegistryException e)
            {
                ctx.Console.Error(e.Message);
                return CommandRunner.Failure;
            }

            if (ctx.Console.Json)
            {
                using var buffer = new MemoryStream();
                using (var json = new Utf8JsonWriter(buffer))
                {
                    json.WriteStartObject();
                    json.WriteString("reference", pushed.Reference.ToString());
                    json.WriteString("digest", pushed.ManifestDigest);
                    json.WriteString("layer_digest", pushed.Layer.Digest);
                    json.WriteNumber("size", pushed.Layer.Size);
                    json.WriteEndObject();
                }

                ctx.Console.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            }
            else
            {
                ctx.Console.Out.WriteLine(pushed.ManifestDigest);
            }

            return CommandRunner.Success;
        });
        return command;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
