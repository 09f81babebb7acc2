global using Microsoft.AspNetCore.Http.HttpResults;
global using Widgets.Catalogue;
global using Widgets.Common;
global using Widgets.Keys;
global using Widgets.Sessions;
