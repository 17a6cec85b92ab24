using TradeStat.Ceiling;

// `dotnet TradeStat.Ceiling.dll --urls URL`: the plain-Kestrel ceiling for the HTTP load scripts (perf/load).
await CeilingApp.RunAsync(args);
