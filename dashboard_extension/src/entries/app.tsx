import { mountPage } from "../modules/bridge/mount-page";
import { AppShell } from "../modules/navigation/app-shell";

mountPage(<AppShell />);
