namespace Natter.Contracts;
