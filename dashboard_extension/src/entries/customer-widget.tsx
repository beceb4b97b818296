import { mountPage } from "../modules/bridge/mount-page";
import { CustomerWidget } from "../modules/widgets/customer-widget";

mountPage(<CustomerWidget />);
