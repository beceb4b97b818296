import { mountPage } from "../modules/bridge/mount-page";
import { OrderWidget } from "../modules/widgets/order-widget";

mountPage(<OrderWidget />);
