namespace Natter.Client;
