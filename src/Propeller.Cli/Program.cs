using Propeller.Cli;

return await CliApp.RunAsync(args).ConfigureAwait(false);
