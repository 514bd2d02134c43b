using StreamSeg.Cli.CommandLine;

// 'streamseg help' has always meant 'streamseg --help'.
return await CliApp.InvokeAsync(args is ["help"] ? ["--help"] : args).ConfigureAwait(false);
