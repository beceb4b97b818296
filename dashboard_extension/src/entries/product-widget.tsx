import { mountPage } from "../modules/bridge/mount-page";
import { ProductWidget } from "../modules/widgets/product-widget";

mountPage(<ProductWidget />);
