import { mountPage } from "../modules/bridge/mount-page";
import { HomeWidget } from "../modules/widgets/home-widget";

mountPage(<HomeWidget />);
